#!/usr/bin/env bash
# Upload benchmark: the time of a PUT of 1 MiB and of 100 MiB into a session, acknowledged (201),
# on two servers started side by side and asked in turn, so that both see the same disk and load:
# a baseline build (--base-jar; e.g. one without the fsync of uploads) and this checkout's jar.
# Each server gets a temporary workspace (max_upload_size_bytes and max_workspace_bytes raised to
# fit 100 MiB) and a free port on 127.0.0.1, and is stopped with SIGTERM. Prints the median and
# the 90th percentile of each size on each server.
#
# usage: bench/upload-bench.sh --base-jar JAR [-n N]
#   --base-jar JAR   the baseline build (e.g. /work/base/target/bubble-sandbox.jar)
#   -n N             uploads of each size to each server (default 20)
# Needs the environments synced (bin/bubble-sandbox sync-environments) and the jar built.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

runs=20
base_jar=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    --base-jar) base_jar=$(readlink -f -- "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 1000 ]; then
  echo "-n must be from 1 to 1000" >&2; exit 2
fi
if [ -z "$base_jar" ] || [ ! -f "$base_jar" ]; then
  echo "--base-jar JAR is needed, and must exist" >&2; exit 2
fi
[ -f target/bubble-sandbox.jar ] || mvn -B -q package -DskipTests

checkout=$PWD
scratch=$(mktemp -d /tmp/bubble-sandbox-upload-bench-XXXXXX)
pids=()
trap 'for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$scratch"' EXIT
chmod 0711 "$scratch"

# start ID JAR: a server of JAR, listening on $port (not run in a subshell: pids must keep it).
port=
start() {
  local dir=$scratch/$1 jar=$2
  mkdir -p "$dir/cwd" "$dir/workspace"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$dir/cwd" && exec env -u BUBBLE_SANDBOX_JAR -u BUBBLE_SANDBOX_CLASSPATH \
      BUBBLE_SANDBOX_ENVIRONMENTS_DIR="$checkout/environments" \
      BUBBLE_SANDBOX_WORKSPACE_DIR="$dir/workspace" BUBBLE_SANDBOX_HTTP_PORT="$port" \
      BUBBLE_SANDBOX_MAX_UPLOAD_SIZE_BYTES=$((200 << 20)) BUBBLE_SANDBOX_MAX_WORKSPACE_BYTES=$((1 << 30)) \
      java @"$checkout/conf/jvm-server.options" -jar "$jar" serve >"$dir/server.log" 2>&1) &
  pids+=($!)
}

start base "$base_jar"
base_port=$port
start new "$checkout/target/bubble-sandbox.jar"
new_port=$port

echo "bubble-sandbox uploads: PUT into a session until 201, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg), workspaces on $(df --output=source,fstype "$scratch" | tail -1)"
python3 - "$runs" "base: $(basename "$base_jar")" "$base_port" "new: target/bubble-sandbox.jar" "$new_port" <<'PY'
import http.client, json, statistics, sys, time, urllib.request
runs = int(sys.argv[1])
servers = [(sys.argv[2], int(sys.argv[3])), (sys.argv[4], int(sys.argv[5]))]

def ready(port):
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    sys.exit(f"the server on {port} was not ready within 120 s")

def session(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/sessions", data=b'{"environment": "bare"}',
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["session_id"]

def put(port, sid, name, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    connection.request("PUT", f"/v1/sessions/{sid}/files/{name}", body=body)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status not in (200, 201):
        sys.exit(f"upload failed on {port}: {response.status}")
    # Removed, untimed, so that the workspace never fills.
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/sessions/{sid}/files/{name}", method="DELETE")
    urllib.request.urlopen(request, timeout=60).close()
    return elapsed

for _, port in servers:
    ready(port)
sessions = {port: session(port) for _, port in servers}
for size, label in ((1 << 20, "1 MiB"), (100 << 20, "100 MiB")):
    body = b"a" * size
    times = {port: [] for _, port in servers}
    for _, port in servers:  # one upload each first: the JIT and the disk warmed alike
        put(port, sessions[port], "warmup.txt", body)
    for i in range(runs):
        order = servers if i % 2 == 0 else servers[::-1]
        for _, port in order:
            # A new name each time: every upload creates a file and a directory entry.
            times[port].append(put(port, sessions[port], f"u{i}.txt", body))
    for name, port in servers:
        t = sorted(times[port])
        p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
        print(f"{label:>8}  {name:<40} median {statistics.median(t) * 1000:8.1f} ms   p90 {p90 * 1000:8.1f} ms")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
