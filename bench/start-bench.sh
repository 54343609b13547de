#!/usr/bin/env bash
# Server start-up benchmark: how long `bin/bubble-sandbox serve` takes from the command to the
# first 200 of /health/ready (the JVM, the settings, the verticles, the listen, the readiness
# probe's sandbox), median of RUNS, each run a fresh server on a free loopback port with a fresh
# workspace, stopped with SIGTERM before the next. With --baseline JAR the other build's server
# is started the same way and the two alternate run by run, so that load changes fall on both;
# prints each median and ours over the baseline.
# The baseline runs through its own checkout's launcher (DIR/bin/bubble-sandbox when JAR is
# DIR/target/bubble-sandbox.jar: its Java, options and caches as it ran them), else through this
# launcher with BUBBLE_SANDBOX_JAR=JAR. Both use this checkout's environments.
# usage: bench/start-bench.sh [-n RUNS] [--baseline JAR]
#   -n RUNS          timed starts of each server (default 9), after one unmeasured start each
#   --baseline JAR   e.g. /tmp/bench-base/target/bubble-sandbox.jar (the build before a change)
# JAVA_HOME, JAVA_OPTS and MALLOC_ARENA_MAX are passed through (JAVA_HOME picks the Java of both).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
runs=9
baseline=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    --baseline) baseline=$(readlink -f -- "$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then
  echo "-n must be a positive number" >&2; exit 2
fi
[ -f target/bubble-sandbox.jar ] || mvn -B -q package -DskipTests
scratch=$(mktemp -d /tmp/bubble-sandbox-start-bench-XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
chmod 0711 "$scratch"
for name in $(env | sed -n 's/^\(BUBBLE_SANDBOX_[A-Z_]*\)=.*/\1/p'); do
  unset "$name"
done
export BUBBLE_SANDBOX_ENVIRONMENTS_DIR=$PWD/environments

keys=(ours)
labels=("ours: $PWD/bin/bubble-sandbox serve")
ours=("$PWD/bin/bubble-sandbox")
if [ -n "$baseline" ]; then
  [ -f "$baseline" ] || { echo "--baseline: $baseline does not exist" >&2; exit 2; }
  base_checkout=$(dirname -- "$(dirname -- "$baseline")")
  keys+=(base)
  if [ "$baseline" = "$base_checkout/target/bubble-sandbox.jar" ] && [ -x "$base_checkout/bin/bubble-sandbox" ]; then
    base=("$base_checkout/bin/bubble-sandbox")
    labels+=("baseline: $base_checkout/bin/bubble-sandbox serve")
  else
    base=(env "BUBBLE_SANDBOX_JAR=$baseline" "$PWD/bin/bubble-sandbox")
    labels+=("baseline: BUBBLE_SANDBOX_JAR=$baseline bin/bubble-sandbox serve")
  fi
fi

# start_once KEY: one start to ready, its milliseconds appended to $scratch/times-KEY when $2 is 1
start_once() {
  declare -n launcher="$1"
  local port workspace begin end
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  workspace=$(mktemp -d "$scratch/workspace-XXXXXX")
  chmod 0711 "$workspace"
  begin=$EPOCHREALTIME
  BUBBLE_SANDBOX_WORKSPACE_DIR=$workspace "${launcher[@]}" serve --port "$port" </dev/null >"$scratch/server.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    if ! kill -0 "$server" 2>/dev/null; then
      echo "error: the $1 server ended before it was ready:" >&2
      tail -20 "$scratch/server.log" >&2
      exit 1
    fi
    sleep 0.005
  done
  end=$EPOCHREALTIME
  kill -TERM "$server"
  wait "$server" || true
  server=
  rm -rf "$workspace"
  if [ "$2" = 1 ]; then
    echo "$(( ${end/./} - ${begin/./} ))" | awk '{ printf "%.1f\n", $1 / 1000 }' >> "$scratch/times-$1"
  fi
  unset -n launcher
}

echo "serve to /health/ready: $runs starts of each after one unmeasured, alternated," \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for key in "${keys[@]}"; do
  start_once "$key" 0
done
for ((r = 0; r < runs; r++)); do
  for key in "${keys[@]}"; do
    start_once "$key" 1
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
args=()
for i in "${!keys[@]}"; do
  args+=("${keys[$i]}" "${labels[$i]}")
done
python3 - "$scratch" "${args[@]}" <<'PY'
import statistics, sys
scratch, pairs = sys.argv[1], sys.argv[2:]
median = {}
for key, label in zip(pairs[0::2], pairs[1::2]):
    times = sorted(float(line) for line in open(f"{scratch}/times-{key}"))
    median[key] = statistics.median(times)
    print(f"{label}\n    median {median[key]:7.1f} ms   min {times[0]:7.1f} ms   max {times[-1]:7.1f} ms   n={len(times)}")
if "base" in median:
    ratio = median["ours"] / median["base"]
    verdict = "met" if ratio <= 0.5 else f"MISSED by {(ratio / 0.5 - 1) * 100:.0f}%"
    print(f"\nours/baseline: median {ratio:.2f}x (target <= 0.5x): {verdict}")
PY
