#!/usr/bin/env bash
# Runs Python in the sandbox. The source reaches it on stdin, whatever its size.
#   run_python.sh ENV --code SOURCE   the source as one argument
#   run_python.sh ENV FILE            a file of the host
#   run_python.sh ENV                 the source on this script's stdin
set -euo pipefail
usage() {
  echo "usage: run_python.sh ENV --code SOURCE | run_python.sh ENV FILE | run_python.sh ENV < FILE" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
environment="$1"
shift
source "$(dirname "$0")/common.sh"
run() {
  exec bubble-sandbox execute-python --agent-mode --environment "$environment" "${mounts[@]}"
}
if [[ $# -eq 0 ]]; then
  run
elif [[ "$1" == "--code" ]]; then
  [[ $# -eq 2 ]] || usage
  run <<< "$2"
else
  [[ $# -eq 1 ]] || usage
  if [[ ! -f "$1" ]]; then
    echo "error: no such script file: $1" >&2
    exit 1
  fi
  run < "$1"
fi
