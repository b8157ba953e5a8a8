#!/bin/sh
# The image's entrypoint: the first argument names the service; anything else runs as given.
# `exec` makes node PID 1, so SIGTERM reaches its graceful shutdown directly.
set -eu
service="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$service" in
  api) exec node /app/api/dist/main.js "$@" ;;
  gateway) exec node /app/gateway/dist/main.js "$@" ;;
  media) exec node /app/media/dist/main.js "$@" ;;
  *) exec "$service" "$@" ;;
esac
