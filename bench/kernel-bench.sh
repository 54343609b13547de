#!/usr/bin/env bash
# Kernel session benchmark (bench/kernel_bench.py does the work): a warm kernel's `x + 1` round
# trip over the WebSocket console and over HTTP against Jupyter Server + ipykernel over its kernel
# WebSocket (same client, same run, alternated), kernel session creation to first result against
# a warm one-shot, and an idle kernel's memory for bare and data-science.
#
#   bench/kernel-bench.sh [-n 300] [--creates 40] [--warmup 50] [--baseline OTHER.jar]
#
# The jar is target/bubble-sandbox.jar, rebuilt when older than the sources, and copied to a
# temporary file first. Jupyter Server and ipykernel come from target/bench/jupyter-venv, made
# here from the configured pip index when missing. Needs synced environments (bare and
# data-science): java -jar target/bubble-sandbox.jar sync-environments
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/bubble-sandbox.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -type f -print -quit)" ]; then
  echo "building $jar" >&2
  mvn -B -q package -DskipTests
fi
venv=target/bench/jupyter-venv
if [ ! -x "$venv/bin/jupyter-server" ]; then
  echo "making $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q jupyter-server ipykernel
fi
copy=$(mktemp --suffix=.jar)
trap 'rm -f "$copy"' EXIT
cp "$jar" "$copy"
echo "java: $(java -version 2>&1 | head -1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$venv/bin/python" bench/kernel_bench.py --jar "$copy" --venv "$PWD/$venv" "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
