# Shared by up.sh and down.sh (sourced, not run).
# shellcheck shell=bash

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CLUSTER_DIR/../.." && pwd)
# CLUSTER_STATE lets a test run a second plane (for example one serving voyager.appscode.com/v1).
STATE=${CLUSTER_STATE:-$ROOT/.cluster}
KUBECTL=${KUBECTL:-kubectl}

log() { echo "cluster: $*" >&2; }

# Takes the lock that serialises cluster:up and cluster:down (several test processes may
# call up.sh at once). fd 9 must not be inherited by the plane's processes.
take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  if ! flock -n 9; then
    log "waiting for another cluster:up/cluster:down to finish (lock $STATE/lock)"
    flock -w 1800 9 || { log "gave up waiting for $STATE/lock"; exit 1; }
  fi
}

# Prints the pid in $STATE/NAME.pid if that process runs and is NAME (guards against pid reuse).
live_pid() {
  local name=$1 pid
  [[ -r $STATE/$name.pid ]] || return 1
  pid=$(<"$STATE/$name.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "/$name " || return 1
  echo "$pid"
}

# Stops one process of the plane: SIGTERM, then SIGKILL after 15 s.
stop_one() {
  local name=$1 pid i
  pid=$(live_pid "$name") || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) did not stop in 15 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

stop_plane() {
  stop_one kube-apiserver
  stop_one etcd
}
