#!/usr/bin/env bash
# Server memory benchmark: starts the server as README runs it (bin/bubble-sandbox serve, with the
# JVM options of conf/jvm-server.options), sends one-shot print(1) executions over HTTP, and prints
# its RSS (VmRSS of the server process) idle, after 10 executions and after N; with --old-jar,
# first does the same for an older build run as `java -jar JAR serve`, in the same run. Each
# server gets a temporary workspace and a free port on 127.0.0.1, and is stopped with SIGTERM.
# Also printed: the server process's own CPU per execution (user + system, its sandboxes not
# counted) over the executions after the first 10. JAVA_OPTS reaches the new server's JVM (the
# launcher appends it), not the old one.
#
# usage: bench/rss-bench.sh [-n N] [-c CONCURRENCY] [--old-jar JAR]
#   -n N             executions before the last reading (default 1000, at least 10)
#   -c CONCURRENCY   clients sending executions at once after the first 10 (default 4)
#   --old-jar JAR    also measure JAR's server (started the way its README did)
# Needs the environments synced (bin/bubble-sandbox sync-environments) and the jar built.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

runs=1000
concurrency=4
old_jar=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -c) concurrency=$2; shift 2 ;;
    --old-jar) old_jar=$(readlink -f -- "$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 10 ] || [ "$runs" -gt 100000 ]; then
  echo "-n must be from 10 to 100000" >&2; exit 2
fi
if ! [[ "$concurrency" =~ ^[0-9]+$ ]] || [ "$concurrency" -lt 1 ] || [ "$concurrency" -gt 64 ]; then
  echo "-c must be from 1 to 64" >&2; exit 2
fi
if [ -n "$old_jar" ] && [ ! -f "$old_jar" ]; then
  echo "--old-jar: $old_jar does not exist" >&2; exit 2
fi
[ -f target/bubble-sandbox.jar ] || mvn -B -q package -DskipTests

checkout=$PWD
scratch=$(mktemp -d /tmp/bubble-sandbox-rss-bench-XXXXXX)
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$scratch"' EXIT
chmod 0711 "$scratch"

rss_kib() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
# The process's own user + system CPU in clock ticks (not its children's: the sandboxes').
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# measure ID LABEL COMMAND...: one server's idle, early and late RSS, printed as a row.
measure() {
  local dir=$scratch/$1 name=$2; shift 2
  mkdir -p "$dir/cwd" "$dir/workspace"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # From an empty directory with the settings in variables: an older build may not know every
  # key of this checkout's conf/config.yaml.
  (cd "$dir/cwd" && exec env BUBBLE_SANDBOX_ENVIRONMENTS_DIR="$checkout/environments" \
      BUBBLE_SANDBOX_WORKSPACE_DIR="$dir/workspace" BUBBLE_SANDBOX_HTTP_PORT="$port" \
      BUBBLE_SANDBOX_LOG_LEVEL=WARN "$@" >"$dir/server.log" 2>&1) &
  server_pid=$!
  python3 - "$port" "$server_pid" <<'PY'
import sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while time.time() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    try:
        open(f"/proc/{pid}/status").close()
    except OSError:
        sys.exit("the server exited before it was ready")
    time.sleep(0.2)
sys.exit("the server was not ready within 120 s")
PY
  sleep 2
  local idle early late cpu_early cpu_late
  idle=$(rss_kib "$server_pid")
  send "$port" 10 1
  early=$(rss_kib "$server_pid")
  cpu_early=$(cpu_ticks "$server_pid")
  send "$port" $((runs - 10)) "$concurrency"
  late=$(rss_kib "$server_pid")
  cpu_late=$(cpu_ticks "$server_pid")
  stop_server
  awk -v name="$name" -v idle="$idle" -v early="$early" -v late="$late" -v runs="$runs" \
      -v cpu="$((cpu_late - cpu_early))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    printf "%-40s idle %6.1f MiB   after 10 %6.1f MiB   after %d %6.1f MiB   %d/10 %.2fx" \
      "   server CPU %.1f ms/execution\n", name, idle / 1024, early / 1024, runs, late / 1024, runs,
      late / early, cpu * 1000 / hz / (runs - 10) }' 
}

# send PORT COUNT CONCURRENCY: COUNT executions of print(1); any failure stops the benchmark.
send() {
  python3 - "$@" <<'PY'
import concurrent.futures, json, sys, urllib.request
port, count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
body = json.dumps({"environment": "bare", "script": "print(1)"}).encode()
def one(_):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/execute", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        result = json.load(response)
    if result.get("stdout") != "1\n":
        raise SystemExit(f"unexpected result: {result}")
with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
    list(pool.map(one, range(count)))
PY
}

echo "bubble-sandbox server RSS: one-shot print(1) over HTTP, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$old_jar" ]; then
  measure old "old: java -jar $(basename "$old_jar") serve" \
    env -u BUBBLE_SANDBOX_JAR -u BUBBLE_SANDBOX_CLASSPATH java -jar "$old_jar" serve
fi
measure new "new: bin/bubble-sandbox serve" "$checkout/bin/bubble-sandbox" serve
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
