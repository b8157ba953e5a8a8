#!/usr/bin/env bash
# Local backing services for Fanfare's tests and development: PostgreSQL 15, Redis 7 and
# NATS with JetStream on 127.0.0.1 (see /work/shared/services.md for how these machines run them).
#
#   deploy/local/services.sh [ensure]   install what is missing (apt, as root), start what is not
#                                       answering, wait until all answer; never stops or restarts
#                                       a service that already answers
#   deploy/local/services.sh status     one line per service; exit 1 if any is down
#
# Everything is parameterized by environment variables that default to the shared setup, so the
# start path can be exercised against throw-away instances on other ports:
#   FANFARE_PG_PORT (5432)  FANFARE_PG_VERSION (newest in /etc/postgresql)  FANFARE_PG_CLUSTER (main)
#   FANFARE_REDIS_PORT (6379)  FANFARE_REDIS_DIR (/var/lib/redis)  FANFARE_REDIS_LOG (/var/log/redis/ci.log)
#   FANFARE_NATS_PORT (4222)  FANFARE_NATS_STORE (/var/lib/nats-server)
#   FANFARE_NATS_LOG (/var/log/nats-server.log)  FANFARE_NATS_PIDFILE (/run/fanfare-nats-PORT.pid)
#   FANFARE_SERVICE_TIMEOUT (30, seconds to wait for each service)
#   FANFARE_EXTRA_APT_PACKAGES (space-separated Debian packages to install as well)
set -euo pipefail
shopt -s inherit_errexit

HOST=127.0.0.1
PG_PORT="${FANFARE_PG_PORT:-5432}"
PG_CLUSTER="${FANFARE_PG_CLUSTER:-main}"
PG_VERSION="${FANFARE_PG_VERSION:-}"
REDIS_PORT="${FANFARE_REDIS_PORT:-6379}"
REDIS_DIR="${FANFARE_REDIS_DIR:-/var/lib/redis}"
REDIS_LOG="${FANFARE_REDIS_LOG:-/var/log/redis/ci.log}"
NATS_BIN=/usr/sbin/nats-server
NATS_PORT="${FANFARE_NATS_PORT:-4222}"
NATS_STORE="${FANFARE_NATS_STORE:-/var/lib/nats-server}"
NATS_LOG="${FANFARE_NATS_LOG:-/var/log/nats-server.log}"
NATS_PIDFILE="${FANFARE_NATS_PIDFILE:-/run/fanfare-nats-${NATS_PORT}.pid}"
WAIT_SECONDS="${FANFARE_SERVICE_TIMEOUT:-30}"

# Debian packages, each as "package=proof": the command name or absolute path (globs allowed)
# whose absence means the package must be installed.
SERVICE_PACKAGES=(
  "postgresql=/usr/lib/postgresql/*/bin/postgres"
  "postgresql-common=pg_ctlcluster"
  "postgresql-client-common=pg_isready"
  "redis-server=redis-server"
  "redis-tools=redis-cli"
  "nats-server=${NATS_BIN}"
)
# Tools that later work needs, same format. Add them here when an issue needs them, e.g.
#   "chromium=/usr/bin/chromium" "chromium-driver=/usr/bin/chromedriver" "ffmpeg=ffmpeg" "wrk=wrk"
EXTRA_PACKAGES=(
  "chromium=/usr/bin/chromium" # the demo page and co-watch browser tests
  "ffmpeg=ffmpeg"              # the co-watch browser test renders its test video; media ingest
  "nginx=/usr/sbin/nginx"      # the media tests' caching CDN edge in front of the origin
  "prometheus=/usr/bin/promtool" # deploy/test: promtool check rules / test rules
  # deploy/test renders the Kustomize overlays with `kubectl kustomize`. Any kubectl will do for
  # this check; Debian's (1.20) embeds a kustomize too old for the overlays, and the test says so.
  "kubernetes-client=kubectl"
  # the pages' browser test screenshots reactions: a colour emoji font so they render
  "fonts-noto-color-emoji=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
)
for pkg in ${FANFARE_EXTRA_APT_PACKAGES:-}; do EXTRA_PACKAGES+=("${pkg}=dpkg:${pkg}"); done

export DEBIAN_FRONTEND=noninteractive

log() { printf 'services: %s\n' "$*"; }
die() {
  printf 'services: ERROR: %s\n' "$*" >&2
  exit 1
}

# Runs a command with its output captured; shows the output only if it fails.
quiet() {
  local out rc=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 </dev/null || rc=$?
  if ((rc != 0)); then
    printf 'services: command failed (exit %d): %s\n' "$rc" "$*" >&2
    tail -n 40 "$out" >&2
  fi
  rm -f "$out"
  return "$rc"
}

need_root() {
  ((EUID == 0)) || die "$1 needs root (run as root, or fix it by hand)"
}

# ---------------------------------------------------------------------------------------------
# Packages

has_proof() {
  local proof="$1"
  case "$proof" in
    dpkg:*) [[ "$(dpkg-query -W -f='${Status}' "${proof#dpkg:}" 2>/dev/null || true)" == 'install ok installed' ]] ;;
    /*) compgen -G "$proof" >/dev/null ;;
    *) command -v "$proof" >/dev/null 2>&1 ;;
  esac
}

ensure_packages() {
  local entry pkg missing=()
  for entry in "${SERVICE_PACKAGES[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"}; do
    pkg="${entry%%=*}"
    has_proof "${entry#*=}" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "packages: all present"
    return 0
  fi
  need_root "installing ${missing[*]}"
  log "packages: installing ${missing[*]}"
  quiet apt-get update -q
  quiet apt-get install -y -q --no-install-recommends "${missing[@]}"
  hash -r
  for entry in "${SERVICE_PACKAGES[@]}" ${EXTRA_PACKAGES[@]+"${EXTRA_PACKAGES[@]}"}; do
    has_proof "${entry#*=}" || die "package ${entry%%=*} installed but ${entry#*=} is still missing"
  done
  log "packages: installed ${missing[*]}"
}

# Polls a check function every 0.2 s until it succeeds or WAIT_SECONDS pass.
wait_for() {
  local name="$1" check="$2" deadline=$((SECONDS + WAIT_SECONDS))
  while ! "$check"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
  log "$name: answering"
}

show_log() {
  local file="$1"
  if [[ -r "$file" ]]; then
    printf 'services: last lines of %s:\n' "$file" >&2
    tail -n 20 "$file" >&2
  fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

# Sets PG_VERSION to the newest version under /etc/postgresql unless FANFARE_PG_VERSION set it.
pg_resolve_version() {
  [[ -z "$PG_VERSION" ]] || return 0
  [[ -d /etc/postgresql ]] || die "postgres: /etc/postgresql is missing (is the postgresql package installed?)"
  PG_VERSION="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
  [[ -n "$PG_VERSION" ]] || die "postgres: no version directory under /etc/postgresql"
}

pg_up() { pg_isready -q -h "$HOST" -p "$PG_PORT" -t 2 </dev/null; }

# psql as the postgres superuser, without password prompts. $1: "tcp" or "socket".
pg_sql() {
  local via="$1" host="$HOST"
  shift
  [[ "$via" == socket ]] && host=/var/run/postgresql
  PGCONNECT_TIMEOUT=5 psql -X -q -A -t -w -v ON_ERROR_STOP=1 \
    -h "$host" -p "$PG_PORT" -U postgres -d postgres "$@" </dev/null
}

pg_trusted() { pg_sql tcp -c 'select 1' >/dev/null 2>&1 && pg_sql socket -c 'select 1' >/dev/null 2>&1; }

pg_hba_file() {
  local file=""
  if ((EUID == 0)); then
    # cd /: psql run as postgres cannot read root's working directory
    file="$(cd / && runuser -u postgres -- psql -X -A -t -w -p "$PG_PORT" -d postgres \
      -c 'show hba_file' </dev/null 2>/dev/null)" || file=""
  fi
  [[ -n "$file" ]] || file="/etc/postgresql/${PG_VERSION}/${PG_CLUSTER}/pg_hba.conf"
  printf '%s\n' "$file"
}

# Makes local-socket and loopback connections trusted (first matching pg_hba line wins, so the
# rules go on top), then reloads the configuration; a reload is not a restart.
pg_ensure_trust() {
  local hba marker='# fanfare: trust loopback (deploy/local/services.sh)' tmp
  if pg_trusted; then
    log "postgres: trust auth on socket and ${HOST} ok"
    return 0
  fi
  need_root "postgres: enabling trust auth"
  pg_resolve_version
  hba="$(pg_hba_file)"
  [[ -f "$hba" ]] || die "postgres: pg_hba.conf not found at $hba"
  if grep -qF "$marker" "$hba"; then
    die "postgres: $hba already has the trust rules but connections as postgres still fail"
  fi
  log "postgres: adding trust rules to $hba"
  tmp="$(mktemp)"
  {
    printf '%s\n' "$marker"
    printf '%s\n' 'local   all   all                  trust'
    printf '%s\n' 'host    all   all   127.0.0.1/32   trust'
    printf '%s\n' 'host    all   all   ::1/128        trust'
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba" # keeps the file's owner and mode
  rm -f "$tmp"
  quiet pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" reload
  local deadline=$((SECONDS + 10))
  until pg_trusted; do
    ((SECONDS < deadline)) || die "postgres: trust auth still refused after reload"
    sleep 0.2
  done
  log "postgres: trust auth enabled"
}

pg_ensure_databases() {
  if [[ -z "$(pg_sql tcp -c "select 1 from pg_roles where rolname = 'root'")" ]]; then
    log "postgres: creating role root"
    pg_sql tcp -c 'create role root superuser login'
  fi
  local db
  for db in test root; do
    if [[ -z "$(pg_sql tcp -c "select 1 from pg_database where datname = '$db'")" ]]; then
      log "postgres: creating database $db"
      pg_sql tcp -c "create database \"$db\" owner root"
    fi
  done
  log "postgres: databases test, root, postgres present"
}

ensure_postgres() {
  if pg_up; then
    log "postgres: already answering on ${HOST}:${PG_PORT}"
  else
    need_root "postgres: starting the server"
    pg_resolve_version
    local ver="$PG_VERSION"
    if [[ ! -d "/etc/postgresql/${ver}/${PG_CLUSTER}" ]]; then
      log "postgres: creating cluster ${ver}/${PG_CLUSTER} on port ${PG_PORT}"
      quiet pg_createcluster "$ver" "$PG_CLUSTER" -p "$PG_PORT"
    fi
    log "postgres: starting cluster ${ver}/${PG_CLUSTER}"
    quiet pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" start
    if ! wait_for postgres pg_up; then
      show_log "/var/log/postgresql/postgresql-${ver}-${PG_CLUSTER}.log"
      die "postgres: not answering on ${HOST}:${PG_PORT} after ${WAIT_SECONDS}s"
    fi
  fi
  pg_ensure_trust
  pg_ensure_databases
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_up() { [[ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null </dev/null)" == PONG ]]; }

ensure_redis() {
  if redis_up; then
    log "redis: already answering on ${HOST}:${REDIS_PORT}"
    return 0
  fi
  need_root "redis: starting the server"
  mkdir -p "$REDIS_DIR" "$(dirname "$REDIS_LOG")"
  log "redis: starting on ${HOST}:${REDIS_PORT}"
  quiet redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_LOG"
  if ! wait_for redis redis_up; then
    show_log "$REDIS_LOG"
    die "redis: not answering on ${HOST}:${REDIS_PORT} after ${WAIT_SECONDS}s"
  fi
}

# ---------------------------------------------------------------------------------------------
# NATS (no monitoring port: read the INFO line the server sends on connect)

nats_info() {
  # shellcheck disable=SC2016 # $1, $2 and $line expand in the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r -t 2 line <&3 && printf "%s\n" "$line"' \
    _ "$HOST" "$NATS_PORT" 2>/dev/null </dev/null
}
nats_up() { [[ "$(nats_info || true)" == INFO* ]]; }
nats_js() { [[ "$(nats_info || true)" == *'"jetstream":true'* ]]; }
nats_version() { nats_info | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'; }

ensure_nats() {
  if nats_up; then
    nats_js || die "nats: ${HOST}:${NATS_PORT} answers but without JetStream; it was not started by" \
      "this script, so it is left alone (restart it with -js)"
    log "nats: already answering on ${HOST}:${NATS_PORT} with JetStream"
    return 0
  fi
  need_root "nats: starting the server"
  mkdir -p "$NATS_STORE" "$(dirname "$NATS_LOG")" "$(dirname "$NATS_PIDFILE")"
  log "nats: starting on ${HOST}:${NATS_PORT} with JetStream"
  # As in services.md, plus a pidfile: with --exec alone start-stop-daemon would see any other
  # nats-server (a test's own instance on another port, say) as "already running" and do nothing.
  quiet start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$NATS_PIDFILE" \
    --exec "$NATS_BIN" -- -a "$HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE" -l "$NATS_LOG"
  if ! wait_for nats nats_up; then
    show_log "$NATS_LOG"
    die "nats: not answering on ${HOST}:${NATS_PORT} after ${WAIT_SECONDS}s"
  fi
  nats_js || die "nats: started but JetStream is not enabled (see $NATS_LOG)"
  log "nats: JetStream enabled"
}

# ---------------------------------------------------------------------------------------------

cmd_ensure() {
  local start=$SECONDS
  ensure_packages
  ensure_postgres
  ensure_redis
  ensure_nats
  log "all services answering ($((SECONDS - start))s)"
}

cmd_status() {
  local rc=0 detail
  if pg_up; then
    detail="$(pg_sql tcp -c 'show server_version' 2>/dev/null || true)"
    log "postgres ${HOST}:${PG_PORT} up${detail:+ (PostgreSQL ${detail%% *})}"
  else
    log "postgres ${HOST}:${PG_PORT} DOWN"
    rc=1
  fi
  if redis_up; then
    detail="$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" info server 2>/dev/null </dev/null |
      sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p' || true)"
    log "redis ${HOST}:${REDIS_PORT} up${detail:+ (Redis ${detail})}"
  else
    log "redis ${HOST}:${REDIS_PORT} DOWN"
    rc=1
  fi
  if nats_up; then
    detail="$(nats_version || true)"
    if nats_js; then
      log "nats ${HOST}:${NATS_PORT} up (NATS ${detail:-?}, JetStream on)"
    else
      log "nats ${HOST}:${NATS_PORT} up WITHOUT JetStream (NATS ${detail:-?})"
      rc=1
    fi
  else
    log "nats ${HOST}:${NATS_PORT} DOWN"
    rc=1
  fi
  return "$rc"
}

case "${1:-ensure}" in
  ensure) cmd_ensure ;;
  status) cmd_status ;;
  -h | --help | help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown subcommand '$1' (use: ensure | status)" ;;
esac
