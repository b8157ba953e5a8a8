#!/bin/sh
# The image's entrypoint: the first argument names the service; anything else runs as given.
# `exec` makes node PID 1, so SIGTERM reaches its graceful shutdown directly.
set -eu
service="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$service" in
  api) exec node /app/api/dist/main.js "$@" ;;
  # A shard's young generation capped at 2 MB semi-spaces (RSS per fan; cluster/src/processes.ts).
  gateway) exec node --max-semi-space-size=2 /app/gateway/dist/main.js "$@" ;;
  media) exec node /app/media/dist/main.js "$@" ;;
  *) exec "$service" "$@" ;;
esac
