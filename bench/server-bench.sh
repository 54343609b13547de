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
# The server runs as bin/bubble-sandbox serve runs it: the same Java (bin/select-java: JAVA_HOME,
# else the newest Java 25 or later installed, else java), its options, conf/jvm-server.options,
# MALLOC_ARENA_MAX=2, and the default log level, INFO (its JSON lines go to target/bench/server.log);
# JAVA_OPTS, if set, is passed after them (e.g. JAVA_OPTS=-Xmx256m). The C=4 target is the
# server's throughput over the limits alone (the ceiling of any server that enforces them);
# over raw is printed beside it. Needs synced environments:
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
. bin/select-java
select_java
echo "java: $java (${java_stamp%% *}), chosen as $java_why"
"$java" @conf/jvm-server.options -Dbubble.sandbox.home="$PWD" "${java_opts[@]}" -jar "$jar" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
