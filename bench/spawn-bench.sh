#!/usr/bin/env bash
# Process spawning per Java and launch mechanism: how long ProcessBuilder takes to start and reap
# a trivial command (/bin/true), the fixed cost the server and the CLI pay on every sandbox
# launch on top of bwrap's own. Java 17 on Linux runs with VFORK (SpawnMechanism chooses it);
# from Java 25 VFORK is deprecated (it prints a warning on stderr at the first spawn) and the
# default is POSIX_SPAWN through jspawnhelper; FORK is the other mechanism left.
# Each (Java, mechanism) pair runs ROUNDS rounds of N spawns, the pairs alternated round by round
# so that a change of machine load falls on all of them; prints each pair's median per spawn.
# usage: bench/spawn-bench.sh [-n SPAWNS] [--rounds R] [JAVA_HOME ...]
#   default: the JDKs bin/select-java would choose with and without Java 25 (every JDK under
#   /usr/lib/jvm with a release file, each once)
set -euo pipefail
cd "$(dirname "$0")/.."
spawns=200
rounds=9
homes=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) spawns=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) homes+=("$1"); shift ;;
  esac
done
if [ ${#homes[@]} -eq 0 ]; then
  for release in /usr/lib/jvm/*/release; do
    home=$(readlink -f -- "$(dirname -- "$release")")
    case " ${homes[*]:-} " in *" $home "*) ;; *) homes+=("$home") ;; esac
  done
fi
scratch=$(mktemp -d /tmp/bubble-sandbox-spawn-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cat > "$scratch/Spawn.java" <<'JAVA'
public class Spawn {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    ProcessBuilder builder = new ProcessBuilder("/bin/true");
    for (int i = 0; i < 20; i++) builder.start().waitFor();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) builder.start().waitFor();
    System.out.printf("%.1f%n", (System.nanoTime() - start) / 1000.0 / n);
  }
}
JAVA
pairs=()
for home in "${homes[@]}"; do
  feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  "$home/bin/javac" -d "$scratch/$feature" "$scratch/Spawn.java" 2>/dev/null || continue
  for mechanism in VFORK POSIX_SPAWN FORK; do
    pairs+=("$home|$feature|$mechanism")
  done
done
for ((r = 0; r < rounds; r++)); do
  for pair in "${pairs[@]}"; do
    IFS='|' read -r home feature mechanism <<< "$pair"
    "$home/bin/java" -Djdk.lang.Process.launchMechanism="$mechanism" -XX:TieredStopAtLevel=1 \
      -XX:+UseSerialGC -cp "$scratch/$feature" Spawn "$spawns" 2>/dev/null >> "$scratch/$feature-$mechanism"
  done
done
echo "spawn and reap /bin/true: median of $rounds rounds of $spawns, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for pair in "${pairs[@]}"; do
  IFS='|' read -r home feature mechanism <<< "$pair"
  printf '  Java %-3s %-12s %8s us per spawn\n' "$feature" "$mechanism" \
    "$(sort -n "$scratch/$feature-$mechanism" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
done
