#!/usr/bin/env bash
# MCP benchmark: the p50 of an MCP run_python tool call against the same execution over the
# HTTP API, on one key-less server started here (target/bubble-sandbox.jar, loopback, a free
# port, a temporary workspace): run_python("1+1") on a kernel session, and a warm one-shot
# print(1). Prints p50, p90 and the MCP/HTTP ratios (bench/mcp_bench.py; .ci/.venv with httpx
# and mcp, as bin/machine-setup --test installs them).
#
# usage: bench/mcp-bench.sh [-n RUNS] [--warmup N] [-e ENVIRONMENT]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=200
warmup=20
environment=bare
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    -e) environment=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
workspace=$(mktemp -d /tmp/bubble-sandbox-mcp-bench-XXXXXX)
chmod 711 "$workspace"
log=$workspace.log
BUBBLE_SANDBOX_HTTP_PORT=$port BUBBLE_SANDBOX_WORKSPACE_DIR=$workspace BUBBLE_SANDBOX_LOG_LEVEL=WARN \
  java -jar target/bubble-sandbox.jar serve >"$log" 2>&1 &
server=$!
# set -e would end the trap at wait's non-zero status, before the clean-up
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$workspace" "$log"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.2
done
.ci/.venv/bin/python bench/mcp_bench.py --url "http://127.0.0.1:$port" -n "$runs" --warmup "$warmup" \
  --environment "$environment"
