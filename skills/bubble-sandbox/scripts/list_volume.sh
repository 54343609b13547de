#!/usr/bin/env bash
# Prints the path, as the sandbox sees it, of every file in the thread or room volume.
set -euo pipefail
case "${1:-}" in
  thread) host="${THREAD_UPLOADS:-}" ;;
  room) host="${ROOM_UPLOADS:-}" ;;
  *)
    echo "usage: list_volume.sh thread|room" >&2
    exit 2
    ;;
esac
if [[ $# -ne 1 ]]; then
  echo "usage: list_volume.sh thread|room" >&2
  exit 2
fi
if [[ -z "$host" ]]; then
  variable="$(tr '[:lower:]' '[:upper:]' <<< "$1")_UPLOADS"
  echo "error: no $1 volume: $variable is not set" >&2
  exit 1
fi
exec bubble-sandbox execute --agent-mode -v "$1,$host" -- find "/sandbox/volumes/$1" -type f
