#!/usr/bin/env bash
# Starts the embedded Qualys simulator and the collector with examples/qualys.yaml pointed at it.
# Ctrl-C (or the end of either process) stops both.
set -euo pipefail
collector=${1:?usage: run-with-simulator.sh path/to/otelcol-qualys [listen] [hosts]}
listen=${2:-127.0.0.1:18080}
hosts=${3:-25}

mkdir -p _build
go build -o _build/qualys-simulator ./internal/simulator/cmd/qualys-simulator

export QUALYS_USERNAME=${QUALYS_USERNAME:-demo_user}
export QUALYS_PASSWORD=${QUALYS_PASSWORD:-demo-password}
export QUALYS_API_URL="http://$listen" QUALYS_GATEWAY_URL="http://$listen"
export QUALYS_STORAGE_DIR=${QUALYS_STORAGE_DIR:-$(mktemp -d)}
export QUALYS_DEBUG_VERBOSITY=${QUALYS_DEBUG_VERBOSITY:-normal}

_build/qualys-simulator -listen "$listen" -hosts "$hosts" \
  -username "$QUALYS_USERNAME" -password "$QUALYS_PASSWORD" &
sim=$!
trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true' EXIT INT TERM

# Wait until the simulator answers before the collector's first poll.
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then break; fi
  sleep 0.1
done

"$collector" --config=examples/qualys.yaml
