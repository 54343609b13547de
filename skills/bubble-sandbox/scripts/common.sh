# Sourced by the other scripts: the mounts every run gets, from what the agent's runtime sets.
#   WORKDIR         host directory bound read-write at /sandbox/work (else a scratch one)
#   THREAD_UPLOADS  host directory bound read-only at /sandbox/volumes/thread
#   ROOM_UPLOADS    host directory bound read-only at /sandbox/volumes/room
mounts=()
if [[ -n "${WORKDIR:-}" ]]; then mounts+=(-w "$WORKDIR"); fi
if [[ -n "${THREAD_UPLOADS:-}" ]]; then mounts+=(-v "thread,$THREAD_UPLOADS"); fi
if [[ -n "${ROOM_UPLOADS:-}" ]]; then mounts+=(-v "room,$ROOM_UPLOADS"); fi
