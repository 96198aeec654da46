#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy (see go.mod beside this file)
# into a cache outside the work tree, keyed by the hash of go.sum, unless already there.
# Prints progress on stderr and the cache folder (holding kube-apiserver and etcd) on stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

command -v go >/dev/null || { echo "cluster: go is not installed (needed to build kube-apiserver)" >&2; exit 1; }

K8S_VERSION=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' go.mod)
[[ $K8S_VERSION =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || { echo "cluster: cannot read k8s.io/kubernetes version from go.mod" >&2; exit 1; }
MAJOR=${BASH_REMATCH[1]}
MINOR=${BASH_REMATCH[2]}
KEY=$(sha256sum go.sum | cut -c1-16)
CACHE_DIR=${KUBECTL_STICKY_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-sticky/cluster}/$KEY
mkdir -p "$CACHE_DIR"

# One builder at a time per cache entry (several clones or test processes may ask at once).
exec 8>"$CACHE_DIR.lock"
flock 8

export CGO_ENABLED=0 GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"

build() { # name package
  local name=$1 pkg=$2 out="$CACHE_DIR/$1"
  if [[ -x $out ]]; then
    echo "cluster: $name cached in $CACHE_DIR" >&2
    return
  fi
  local ldflags="-s -w"
  if [[ $name == kube-apiserver ]]; then
    local v=k8s.io/component-base/version
    ldflags+=" -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=$MAJOR -X $v.gitMinor=$MINOR"
    ldflags+=" -X $v.gitTreeState=clean -X $v.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  fi
  local log="$CACHE_DIR/$name.build.log" start=$SECONDS
  echo "cluster: building $name ($pkg) with $(go env GOVERSION); a cold build takes 4-10 min on 2 cores" >&2
  go build -v -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg" >"$log" 2>&1 &
  local pid=$! next=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)) && kill -0 "$pid" 2>/dev/null; then
      echo "cluster:   $name: $((SECONDS - start))s, $(wc -l <"$log") packages compiled" >&2
      next=$((SECONDS + 15))
    fi
  done
  if ! wait "$pid"; then
    echo "cluster: building $name failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    rm -f "$out.tmp"
    exit 1
  fi
  mv "$out.tmp" "$out"
  echo "cluster: built $name in $((SECONDS - start))s ($(du -h "$out" | cut -f1))" >&2
}

build etcd ./cmd/etcd
build kube-apiserver ./cmd/kube-apiserver
echo "$K8S_VERSION" >"$CACHE_DIR/version"
echo "$CACHE_DIR"
