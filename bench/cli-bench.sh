#!/usr/bin/env bash
# CLI benchmark: times `bin/bubble-sandbox execute-python -a -e bare -s 'print(1)'` (the launcher
# README documents, with its JVM options and its AOT cache or class data archive) against the
# raw command line it wraps (the same setpriv prefix when root, the same bwrap argv, the same
# Python), on this machine, in one run, and prints median, p90 and the ratio. Where the launcher
# runs Java 24 or later and a Java 17 is installed, the same command with JAVA_HOME set to that
# Java 17 (today's CDS archive) is timed too: ours-25 over ours-17.
#
# The raw argv comes from the product itself (SandboxRunner#command, through the
# dev.bubblesandbox.bench.RawCommandLine helper of the `bench` Maven profile's jar), run in a
# prepared work dir handed to the sandbox uid, as execute-python -w does. Uses hyperfine when
# installed (apt-get install -y hyperfine), otherwise times the runs itself with bash's clock.
#
# usage: bench/cli-bench.sh [-n RUNS] [--warmup N] [--old-jar JAR] [--original DIR] [--java17 HOME]
#                           [--no-hyperfine] [--no-reference] [--diagnose]
#   -n RUNS          measured runs of each command (default 50)
#   --warmup N       unmeasured runs of each command first (default 5)
#   --old-jar JAR    also time `java -jar JAR execute-python -a -s 'print(1)'` (an older build,
#                    run as its README did) and print the CLI's median as a ratio of it
#   --original DIR   also time the original Python CLI (soliplex/bubble-sandbox, checked out or
#                    unpacked in DIR): DIR/src run by DIR/.venv's Python (made with typer, rich,
#                    pydantic-settings and pyyaml when missing), from a directory whose
#                    environments/ is this checkout's; same command, runs alternated with ours
#                    (bash's clock), and print ours over the original
#   --java17 HOME    the Java 17 of the ours-17 row (default: a Java 17 under /usr/lib/jvm)
#   --old-launcher L also time another checkout's launcher L (e.g. /tmp/bench-base/bin/bubble-sandbox:
#                    the build before a change, with its own Java choice and archive), same command,
#                    and print ours over it
#   --no-hyperfine   time the runs with bash's clock even when hyperfine is installed
#   --no-reference   skip the reference rows (java -version, bubble-sandbox --version)
#   --diagnose       also time the CLI without conf/config.yaml (same settings from defaults, so
#                    no YAML parsing), with an AppCDS archive, and with C1 only, to show where
#                    the CLI's time goes (JVM flags only; the product is not changed)
# Settings come from conf/config.yaml and BUBBLE_SANDBOX_* as for the CLI. JAVA_OPTS, if set,
# is passed to every timed java command.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

runs=50
warmup=5
use_hyperfine=1
reference=1
diagnose=0
old_jar=
original=
java17=
old_launcher=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --old-jar) old_jar=$(readlink -f -- "$2"); shift 2 ;;
    --original) original=$(readlink -f -- "$2"); shift 2 ;;
    --java17) java17=$(readlink -f -- "$2"); shift 2 ;;
    --old-launcher) old_launcher=$(readlink -f -- "$2"); shift 2 ;;
    --no-hyperfine) use_hyperfine=0; shift ;;
    --no-reference) reference=0; shift ;;
    --diagnose) diagnose=1; shift ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 10000 ]; then
  echo "-n must be from 1 to 10000" >&2; exit 2
fi
if ! [[ "$warmup" =~ ^[0-9]+$ ]] || [ "$warmup" -gt 1000 ]; then
  echo "--warmup must be from 0 to 1000" >&2; exit 2
fi
if [ "$use_hyperfine" = 1 ] && ! command -v hyperfine >/dev/null; then
  use_hyperfine=0
fi
if [ -n "$original" ]; then
  # hyperfine runs each command's runs in one block: against another program, alternate
  use_hyperfine=0
  [ -d "$original/src/bubble_sandbox" ] || { echo "--original: $original/src/bubble_sandbox does not exist" >&2; exit 2; }
  if [ ! -x "$original/.venv/bin/python" ]; then
    python3 -m venv "$original/.venv"
    "$original/.venv/bin/pip" install -q typer rich pydantic-settings pyyaml
  fi
fi
if [ -z "$java17" ]; then
  for release in /usr/lib/jvm/*/release; do
    if grep -q '^JAVA_VERSION="17[."]' "$release"; then
      java17=$(readlink -f -- "$(dirname -- "$release")")
      break
    fi
  done
fi

jar=$PWD/target/bubble-sandbox.jar
if [ ! -f "$jar" ]; then
  mvn -B -q package -DskipTests
fi
bench_jar=$PWD/target/bench/bubble-sandbox-bench.jar
if [ ! -f "$bench_jar" ] || [ -n "$(find pom.xml src/main src/bench -newer "$bench_jar" -type f -print -quit)" ]; then
  mvn -B -q -Pbench package -DskipTests
fi
read -r -a java_opts <<< "${JAVA_OPTS:-}"

scratch=$(mktemp -d /tmp/bubble-sandbox-cli-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The sandbox uid must reach the work dir: /tmp is searchable, the scratch dir is made so, and
# RawCommandLine hands the work dir itself over to the sandbox uid.
chmod 0711 "$scratch"
mkdir "$scratch/work"
java -Dbubble.sandbox.home="$PWD" -cp "$bench_jar" dev.bubblesandbox.bench.RawCommandLine "$scratch/work" 'print(1)' > "$scratch/argv"
mapfile -d '' -t raw < "$scratch/argv"

# Each row: a key, a label, and the array holding its command.
keys=(cli raw)
launcher_java=$(sh -c '. bin/select-java; select_java; echo "$java_feature"')
labels=("cli: bin/bubble-sandbox execute-python -a -e bare -s 'print(1)' (Java $launcher_java)"
  "raw: setpriv + bwrap + python -c 'print(1)'")
cli=("$PWD/bin/bubble-sandbox" execute-python -a -e bare -s 'print(1)')
if [ "$launcher_java" -ge 24 ] && [ -n "$java17" ]; then
  keys+=(cli17)
  labels+=("cli17: the same with JAVA_HOME=$java17")
  cli17=(env "JAVA_HOME=$java17" "$PWD/bin/bubble-sandbox" execute-python -a -e bare -s 'print(1)')
fi
if [ -n "$old_launcher" ]; then
  [ -x "$old_launcher" ] || { echo "--old-launcher: $old_launcher is not executable" >&2; exit 2; }
  keys+=(oldlauncher)
  labels+=("oldlauncher: $old_launcher (its defaults)")
  oldlauncher=(env -u JAVA_HOME "BUBBLE_SANDBOX_ENVIRONMENTS_DIR=$PWD/environments" "$old_launcher"
    execute-python -a -e bare -s 'print(1)')
fi
if [ -n "$original" ]; then
  keys+=(original)
  labels+=("original: the Python CLI from $original")
  # The original finds environments/ beside its working directory: this checkout's venvs.
  mkdir -p "$scratch/original"
  ln -s "$PWD/environments" "$scratch/original/environments"
  original=(env -C "$scratch/original" "PYTHONPATH=$original/src" "$original/.venv/bin/python" -c
    'import sys; from bubble_sandbox.cli import the_cli; sys.argv[0] = "bubble-sandbox"; the_cli()'
    execute-python -a -e bare -s 'print(1)')
fi
if [ -n "$old_jar" ]; then
  [ -f "$old_jar" ] || { echo "--old-jar: $old_jar does not exist" >&2; exit 2; }
  keys+=(old)
  labels+=("old: java -jar $(basename "$old_jar") execute-python ... (--old-jar)")
  # Run where no conf/config.yaml is: this checkout's names settings an older build does not know.
  # The same settings (its defaults) then come without YAML parsing, if anything a head start.
  mkdir -p "$scratch/old"
  old=(env -C "$scratch/old" "BUBBLE_SANDBOX_ENVIRONMENTS_DIR=$PWD/environments"
    java "${java_opts[@]}" -jar "$old_jar" execute-python -a -s 'print(1)')
fi
if [ "$reference" = 1 ]; then
  keys+=(jvm version)
  labels+=("reference: java -version (bare JVM)" "reference: bin/bubble-sandbox --version")
  jvm=(java "${java_opts[@]}" -version)
  version=("$PWD/bin/bubble-sandbox" --version)
fi
if [ "$diagnose" = 1 ]; then
  keys+=(nocfg appcds c1)
  labels+=("diagnose: cli without conf/config.yaml (no YAML)" "diagnose: cli with an AppCDS archive"
    "diagnose: cli with C1 only (TieredStopAtLevel=1)")
  # conf/config.yaml holds the built-in defaults written out: name a directory without it as the
  # install directory (where the file is looked for), and the environments directory, and the
  # settings are the same but no YAML is parsed.
  mkdir "$scratch/nocfg"
  nocfg=(env -C "$scratch/nocfg" "BUBBLE_SANDBOX_ENVIRONMENTS_DIR=$PWD/environments"
    java "${java_opts[@]}" -Dbubble.sandbox.home="$scratch/nocfg" -jar "$jar" execute-python -a -s 'print(1)')
  java "${java_opts[@]}" -XX:ArchiveClassesAtExit="$scratch/cli.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" execute-python -a -s 'print(1)' >/dev/null 2>&1
  appcds=(java "${java_opts[@]}" -XX:SharedArchiveFile="$scratch/cli.jsa" -jar "$jar"
    execute-python -a -s 'print(1)')
  c1=(java "${java_opts[@]}" -XX:TieredStopAtLevel=1 -jar "$jar" execute-python -a -s 'print(1)')
fi

# Every command must print exactly "1" before anything is timed.
for key in "${keys[@]}"; do
  declare -n command="$key"
  if [ "$key" = jvm ] || [ "$key" = version ]; then
    unset -n command; continue
  fi
  got=$("${command[@]}" </dev/null 2>&1) || { echo "error: '$key' failed: $got" >&2; exit 1; }
  if [ "$got" != 1 ]; then
    echo "error: '$key' printed '$got' instead of '1'" >&2; exit 1
  fi
  unset -n command
done

echo "bubble-sandbox CLI benchmark: $runs runs of each command after $warmup warm-up runs," \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw: ${raw[*]}"
echo

if [ "$use_hyperfine" = 1 ]; then
  echo "timing with $(hyperfine --version)"
  arguments=()
  for i in "${!keys[@]}"; do
    declare -n command="${keys[$i]}"
    arguments+=(--command-name "${labels[$i]}"
      "$(python3 -c 'import shlex, sys; print(shlex.join(sys.argv[1:]))' "${command[@]}")")
    unset -n command
  done
  hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
    --export-json "$scratch/hyperfine.json" "${arguments[@]}"
  python3 - "$scratch/hyperfine.json" "$scratch" "${keys[@]}" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
for key, result in zip(sys.argv[3:], results):
    with open(f"{sys.argv[2]}/times-{key}", "w") as out:
        out.writelines(f"{t * 1000:.3f}\n" for t in result["times"])
EOF
else
  echo "timing with bash's clock (\$EPOCHREALTIME), the commands alternated run by run"
  for ((r = 0; r < warmup + runs; r++)); do
    for key in "${keys[@]}"; do
      declare -n command="$key"
      start=$EPOCHREALTIME
      "${command[@]}" </dev/null >/dev/null 2>&1
      end=$EPOCHREALTIME
      if [ "$r" -ge "$warmup" ]; then
        echo "$(( ${end/./} - ${start/./} ))" | awk '{ printf "%.3f\n", $1 / 1000 }' >> "$scratch/times-$key"
      fi
      unset -n command
    done
  done
fi

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
args=()
for i in "${!keys[@]}"; do
  args+=("${keys[$i]}" "${labels[$i]}")
done
python3 - "$scratch" "${args[@]}" <<'EOF'
import math, sys
scratch, pairs = sys.argv[1], sys.argv[2:]

def percentile(sorted_ms, p):
    rank = math.ceil(p / 100 * len(sorted_ms))
    return sorted_ms[max(0, min(len(sorted_ms) - 1, rank - 1))]

median = {}
p90 = {}
for key, label in zip(pairs[0::2], pairs[1::2]):
    times = sorted(float(line) for line in open(f"{scratch}/times-{key}"))
    median[key], p90[key] = percentile(times, 50), percentile(times, 90)
    print(f"{label:56} median {median[key]:7.1f} ms   p90 {p90[key]:7.1f} ms"
          f"   min {times[0]:7.1f} ms   n={len(times)}")
ratio = median["cli"] / median["raw"]
print()
print(f"cli/raw: median {ratio:.1f}x, p90 {p90['cli'] / p90['raw']:.1f}x;"
      f" the CLI adds {median['cli'] - median['raw']:.1f} ms (median) to the raw launch")
if "version" in median:
    print(f"of the CLI's median: {median['jvm']:.1f} ms bare JVM start,"
          f" {median['version'] - median['jvm']:.1f} ms launcher + jar (--version),"
          f" {median['cli'] - median['version']:.1f} ms the rest (settings, environment,"
          f" work dir, sandbox {median['raw']:.1f} ms)")
if "nocfg" in median:
    print(f"without conf/config.yaml (no YAML parsing) the CLI takes"
          f" {median['cli'] - median['nocfg']:.1f} ms less; with an AppCDS archive"
          f" {median['cli'] - median['appcds']:.1f} ms less; with C1 only"
          f" {median['cli'] - median['c1']:.1f} ms less")
def verdict(what, value, target, unit):
    miss = "met" if value <= target else f"MISSED by {(value / target - 1) * 100:.0f}%"
    print(f"  {what:34} {value:7.2f}{unit} (target <= {target:g}{unit}): {miss}")
if "cli17" in median:
    print(f"ours-25/ours-17 (launcher on Java 24+ with its AOT cache over Java 17 with its CDS"
          f" archive): median {median['cli'] / median['cli17']:.2f}x")
if "oldlauncher" in median:
    print(f"ours/old launcher: median {median['cli'] / median['oldlauncher']:.2f}x")
if "original" in median:
    print(f"ours/original: median {median['cli'] / median['original']:.2f}x")
    if "cli17" in median:
        print(f"ours-17/original: median {median['cli17'] / median['original']:.2f}x")
print()
print("targets:")
verdict("CLI median", median["cli"], 250, " ms")
verdict("CLI median / raw median", ratio, 14, "x")
if "old" in median:
    verdict("CLI median / old jar median", median["cli"] / median["old"], 0.5, "x")
if "original" in median:
    verdict("CLI median / original median", median["cli"] / median["original"], 0.5, "x")
if "oldlauncher" in median:
    verdict("CLI median / old launcher median", median["cli"] / median["oldlauncher"], 0.6, "x")
EOF
