#!/usr/bin/env bash
# npm run cluster:up — starts (or reuses) a real etcd + kube-apiserver on 127.0.0.1 for the
# e2e tests, with the Voyager Ingress CRD, namespace team-a and two kubeconfigs:
#   .cluster/kubeconfig          cluster admin (group system:masters)
#   .cluster/kubeconfig-limited  user team-a-user: get/list/watch/patch a few kinds in team-a
# Environment:
#   VOYAGER_API=v1beta1|v1        the one served version of ingresses.voyager.appscode.com (default v1beta1)
#   CLUSTER_READY_TIMEOUT=90      seconds to wait for /readyz
# Progress goes to stderr; stdout gets only `export KUBECONFIG=...`.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VOYAGER_API=${VOYAGER_API:-v1beta1}
[[ $VOYAGER_API == v1beta1 || $VOYAGER_API == v1 ]] || { log "VOYAGER_API must be v1beta1 or v1, not '$VOYAGER_API'"; exit 2; }
READY_TIMEOUT=${CLUSTER_READY_TIMEOUT:-90}

take_lock

admin_token() { cut -d, -f1 <(head -n1 "$STATE/tokens.csv"); }

readyz() { # port
  curl -sf --max-time 5 --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $(admin_token)" \
    "https://127.0.0.1:$1/readyz" >/dev/null 2>&1
}

print_export() {
  echo "export KUBECONFIG=$STATE/kubeconfig"
}

# --- reuse a running plane -------------------------------------------------------------
if [[ -r $STATE/ready ]]; then
  # shellcheck disable=SC1091
  source "$STATE/ready"
  if live_pid etcd >/dev/null && live_pid kube-apiserver >/dev/null && readyz "$API_PORT"; then
    if [[ $SERVED_VOYAGER_API != "$VOYAGER_API" ]]; then
      log "the running control plane serves voyager.appscode.com/$SERVED_VOYAGER_API, not $VOYAGER_API;"
      log "run 'npm run cluster:down' first (one served version per cluster)"
      exit 1
    fi
    log "reusing the running control plane: $K8S_VERSION at https://127.0.0.1:$API_PORT" \
      "(etcd pid $(live_pid etcd), kube-apiserver pid $(live_pid kube-apiserver)), voyager.appscode.com/$VOYAGER_API"
    print_export
    exit 0
  fi
fi
if compgen -G "$STATE/*.pid" >/dev/null || [[ -e $STATE/ready ]]; then
  log "found a stale or unhealthy control plane in $STATE: stopping it and starting afresh"
fi
stop_plane
find "$STATE" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +

# --- binaries ---------------------------------------------------------------------------
BIN=$(bash "$CLUSTER_DIR/build.sh")
K8S_VERSION=$(<"$BIN/version")

started=$SECONDS

# --- certificates, keys, tokens ------------------------------------------------------------
PKI=$STATE/pki
mkdir -p "$PKI" "$STATE/logs"
chmod 700 "$STATE"
(
  cd "$PKI"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout ca.key -out ca.crt -subj "/CN=kubectl-sticky-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
  printf '%s\n' \
    "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
    "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile apiserver.ext -out apiserver.crt 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
  openssl pkey -in sa.key -pubout -out sa.pub
)
ADMIN_TOKEN=$(openssl rand -hex 24)
LIMITED_TOKEN=$(openssl rand -hex 24)
printf '%s\n' "$ADMIN_TOKEN,admin,admin,system:masters" "$LIMITED_TOKEN,team-a-user,team-a-user" >"$STATE/tokens.csv"

# --- ports -----------------------------------------------------------------------------------
declare -A taken=()
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 30000))
    [[ -z ${taken[$p]:-} ]] || continue
    if ! ss -Htln "sport = :$p" | grep -q .; then
      taken[$p]=1
      echo "$p"
      return
    fi
  done
  log "no free port found"
  exit 1
}
ETCD_PORT=$(free_port)
taken[$ETCD_PORT]=1
ETCD_PEER_PORT=$(free_port)
taken[$ETCD_PEER_PORT]=1
API_PORT=$(free_port)

# --- start in the background, in their own sessions (they outlive this script) -----------
launch() { # name args...
  local name=$1
  shift
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$STATE/$name.pid" "$@" \
    </dev/null >"$STATE/logs/$name.log" 2>&1 9>&- &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s $STATE/$name.pid ]] && return
    sleep 0.05
  done
}

fail() {
  log "$*"
  stop_plane
  for f in "$STATE"/logs/*.log; do
    [[ -e $f ]] || continue
    log "last lines of $f:"
    tail -n 25 "$f" >&2
  done
  exit 1
}

log "starting etcd on 127.0.0.1:$ETCD_PORT"
launch etcd "$BIN/etcd" --name kubectl-sticky-test --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "kubectl-sticky-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes=$((512 * 1024 * 1024)) --log-level=warn

deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; do
  live_pid etcd >/dev/null || fail "etcd exited"
  ((SECONDS < deadline)) || fail "etcd not healthy after ${READY_TIMEOUT}s"
  sleep 0.2
done

log "starting kube-apiserver $K8S_VERSION on https://127.0.0.1:$API_PORT"
launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --cert-dir="$PKI" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --authorization-mode=RBAC --disable-admission-plugins=ServiceAccount \
  --token-auth-file="$STATE/tokens.csv" \
  --endpoint-reconciler-type=none --profiling=false --v=1

until readyz "$API_PORT"; do
  live_pid kube-apiserver >/dev/null || fail "kube-apiserver exited"
  ((SECONDS < deadline)) || fail "kube-apiserver not ready (/readyz) after ${READY_TIMEOUT}s"
  sleep 0.5
done
log "kube-apiserver ready after $((SECONDS - started))s"

# --- kubeconfigs -----------------------------------------------------------------------------
write_kubeconfig() { # file user token
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubectl-sticky-test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $2
  user:
    token: $3
contexts:
- name: kubectl-sticky-test-$2
  context:
    cluster: kubectl-sticky-test
    user: $2
current-context: kubectl-sticky-test-$2
preferences: {}
EOF
  chmod 600 "$1"
}
write_kubeconfig "$STATE/kubeconfig" admin "$ADMIN_TOKEN"
write_kubeconfig "$STATE/kubeconfig-limited" team-a-user "$LIMITED_TOKEN"

# --- CRD, namespace, RBAC ----------------------------------------------------------------------
k() { "$KUBECTL" --kubeconfig "$STATE/kubeconfig" "$@"; }
k apply -f "$CLUSTER_DIR/voyager-crd-$VOYAGER_API.yaml" >&2 || fail "installing the Voyager CRD failed"
k apply -f "$CLUSTER_DIR/rbac.yaml" >&2 || fail "creating namespace team-a and its RBAC failed"
k wait --for=condition=Established --timeout=60s crd/ingresses.voyager.appscode.com >&2 ||
  fail "the Voyager CRD is not Established"
until k get ingresses.voyager.appscode.com -A >/dev/null 2>&1; do
  ((SECONDS < deadline + 60)) || fail "ingresses.voyager.appscode.com is not served"
  sleep 0.5
done

cat >"$STATE/ready" <<EOF
API_PORT=$API_PORT
ETCD_PORT=$ETCD_PORT
K8S_VERSION=$K8S_VERSION
SERVED_VOYAGER_API=$VOYAGER_API
BIN=$BIN
EOF
log "control plane ready in $((SECONDS - started))s: $K8S_VERSION at https://127.0.0.1:$API_PORT," \
  "voyager.appscode.com/$VOYAGER_API, namespaces default and team-a; state in $STATE"
log "limited kubeconfig (user team-a-user): $STATE/kubeconfig-limited; stop with 'npm run cluster:down'"
print_export
