#!/usr/bin/env bash
# npm run cluster:down — stops the test control plane started by up.sh and removes .cluster/.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ ! -d $STATE ]]; then
  log "no control plane state in $STATE: nothing to stop"
  exit 0
fi
take_lock
stop_plane
rm -rf "$STATE"
log "control plane stopped, $STATE removed"
