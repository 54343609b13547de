#!/usr/bin/env bash
# Prints the sandbox's environments as JSON:
#   {"environments": [{"name", "description", "dependencies", "python_version", "ready"}]}
set -euo pipefail
if [[ $# -ne 0 ]]; then
  echo "usage: list_environments.sh" >&2
  exit 2
fi
exec bubble-sandbox list-environments --agent-mode
