#!/usr/bin/env bash
# Server benchmark: one-shot print(1) executions through the HTTP server (started inside the
# benchmark's JVM on 127.0.0.1, random port, temporary workspace) against raw launches of the
# same bwrap command line (and of it with the limits alone: a fresh limited group and the seccomp
# filter, no server), at each concurrency, plus the server's RSS after 10 and after
# --rss-runs executions. The harness (src/bench/java) is not part of the product: it is built
# by the `bench` Maven profile into target/bench/bubble-sandbox-bench.jar, here, when that jar is
# missing or older than the sources.
#
# usage: bench/server-bench.sh [bench options]   e.g. -n 200 -c 1,4 --warmup 200 --rss-runs 1000
#   (see: bench/server-bench.sh --help)
# The JVM runs with the server's options, conf/jvm-server.options, and MALLOC_ARENA_MAX=2, as
# bin/bubble-sandbox serve runs the server; JAVA_OPTS, if set, is passed after them (e.g.
# JAVA_OPTS=-Xmx256m). Needs synced environments:
#   java -jar target/bubble-sandbox.jar sync-environments
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/bench/bubble-sandbox-bench.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main src/bench -newer "$jar" -type f -print -quit)" ]; then
  echo "building $jar" >&2
  mvn -B -q -Pbench package -DskipTests
fi
read -r -a java_opts <<< "${JAVA_OPTS:-}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
java @conf/jvm-server.options "${java_opts[@]}" -jar "$jar" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
