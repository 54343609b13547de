#!/usr/bin/env bash
# Cluster benchmarks (bench/cluster_bench.py does the work):
#
#   bench/cluster-bench.sh forward [-n 200] [--baseline JAR]
#                                                  a session execution through a non-owner node
#                                                  against the same through its owner (two nodes
#                                                  on 127.0.0.1 with secret, TLS and a key;
#                                                  target: <= 1.2x at p50); with a baseline build,
#                                                  its forward beside this one's (target <= 1.2x)
#   bench/cluster-bench.sh single --baseline JAR   cluster_enabled=false against another build:
#                                                  start-up time and one-shot p50
#
# The jar is target/bubble-sandbox.jar, rebuilt when older than the sources, and copied to a
# temporary file first, so that a rebuild during the run cannot change the classes under the
# running servers. Needs synced environments: java -jar target/bubble-sandbox.jar sync-environments
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/bubble-sandbox.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -type f -print -quit)" ]; then
  echo "building $jar" >&2
  mvn -B -q package -DskipTests
fi
copy=$(mktemp --suffix=.jar)
trap 'rm -f "$copy"' EXIT
cp "$jar" "$copy"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
python3 bench/cluster_bench.py "$1" --jar "$copy" "${@:2}" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
