#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 for the test suite (and Chromium exists for the
# browser tests): start them when installed but stopped, install them from Debian's packages when
# absent and running as root. Idempotent; prints what it did.
set -euo pipefail

PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
DB_ROLE="${TEST_DB_ROLE:-voice}"
RUN_DIR="${RUN_DIR:-$PWD/.run}"
mkdir -p "$RUN_DIR"

APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "ensure-services: $* is missing and cannot be installed here (need root and apt-get)" >&2
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null && APT_UPDATED=1
  fi
  echo "ensure-services: installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.25; done
  return 1
}

ensure_redis() {
  if port_open "$REDIS_PORT"; then return 0; fi
  command -v redis-server >/dev/null || apt_install redis-server
  echo "ensure-services: starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  wait_port "$REDIS_PORT" || { echo "ensure-services: redis did not start" >&2; exit 1; }
}

pg_psql() {
  # Run psql as the postgres superuser over the local socket.
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- psql -p "$PG_PORT" -tAq "$@"; else psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAq "$@"; fi
}

ensure_postgres() {
  if ! port_open "$PG_PORT"; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      apt_install postgresql
    fi
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    echo "ensure-services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start
    wait_port "$PG_PORT" || { echo "ensure-services: PostgreSQL did not start" >&2; exit 1; }
  fi
  # A password role over TCP: the venv interpreter may not be runnable by the postgres OS user.
  if [ "$(pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_ROLE'")" != "1" ]; then
    echo "ensure-services: creating database role $DB_ROLE"
    pg_psql -c "CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_ROLE' CREATEDB"
  fi
  if [ "$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname='$DB_ROLE'")" != "1" ]; then
    pg_psql -c "CREATE DATABASE $DB_ROLE OWNER $DB_ROLE"
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  apt_install chromium || echo "ensure-services: WARNING: no Chromium; browser tests will be skipped" >&2
}

ensure_redis
ensure_postgres
if [ "${WITH_BROWSER:-1}" = "1" ]; then ensure_chromium; fi
echo "ensure-services: PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT are up"
