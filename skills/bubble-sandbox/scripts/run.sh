#!/usr/bin/env bash
# Runs one command (no shell) in the sandbox: run.sh ENV -- COMMAND [ARG...]
set -euo pipefail
if [[ $# -lt 3 || "$2" != "--" ]]; then
  echo "usage: run.sh ENV -- COMMAND [ARG...]" >&2
  exit 2
fi
environment="$1"
shift 2
source "$(dirname "$0")/common.sh"
exec bubble-sandbox execute --agent-mode --environment "$environment" "${mounts[@]}" -- "$@"
