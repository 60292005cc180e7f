#!/usr/bin/env bash
# Makes sure the services the integration tests use are up:
#   1. a service already answering is left alone;
#   2. one installed on this machine but stopped is started (as root, with the machine's own
#      service commands);
#   3. one not installed is installed from Debian's packages when we are root with apt-get;
#   4. otherwise, where a Docker engine answers, `docker compose up -d --wait` starts them all.
# With CI=true a service that is still down at the end is an error; without, a warning.
# DynamoDB needs nothing here: the tests start dynalite in-process (or use DYNAMODB_ENDPOINT).
set -uo pipefail

cd "$(dirname "$0")/.."

log() { printf 'services: %s\n' "$*"; }

port_open() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-
}

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.25
  done
  return 1
}

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() { # packages...
  is_root && command -v apt-get >/dev/null || return 1
  log "installing $* from Debian's packages"
  if [ -z "${APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

start_postgres() {
  command -v pg_ctlcluster >/dev/null || apt_install postgresql || return 1
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  wait_port 127.0.0.1 5432 30 || return 1
  # Trust auth and the `test` database the tests default to (idempotent).
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" 2>/dev/null | grep -q 1 ||
    su postgres -c "createdb test" 2>/dev/null || true
}

start_mariadb() {
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server || return 1
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  wait_port 127.0.0.1 3306 60 || return 1
  mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null || true
}

start_redis() {
  command -v redis-server >/dev/null || apt_install redis-server || return 1
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
  wait_port 127.0.0.1 6379 20
}

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || [ -x /usr/sbin/rabbitmq-server ] || apt_install rabbitmq-server || return 1
  rabbitmq-server -detached >/dev/null 2>&1 || true
  # The broker opens its port late in its boot.
  wait_port 127.0.0.1 5672 90
}

docker_up() {
  command -v docker >/dev/null && docker info >/dev/null 2>&1 || return 1
  log "starting the services with docker compose"
  docker compose up -d --wait
}

down=()
check_or_start() { # name port starter
  if port_open 127.0.0.1 "$2"; then
    log "$1 is up on 127.0.0.1:$2"
    return 0
  fi
  if is_root && "$3"; then
    log "$1 started on 127.0.0.1:$2"
    return 0
  fi
  down+=("$1")
}

# Endpoints other than this machine's defaults are the user's own: just report on them.
if [ -n "${PG_URL:-}${MYSQL_URL:-}${REDIS_URL:-}${AMQP_URL:-}" ]; then
  log "custom service URLs set; not starting local services"
  exit 0
fi

check_or_start postgresql 5432 start_postgres
check_or_start mariadb 3306 start_mariadb
check_or_start redis 6379 start_redis
check_or_start rabbitmq 5672 start_rabbitmq

if [ ${#down[@]} -gt 0 ] && docker_up; then
  down=()
fi

if [ ${#down[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    log "ERROR: not reachable: ${down[*]} (CI=true: a missing service is a failure)"
    exit 1
  fi
  log "WARNING: not reachable: ${down[*]}; their integration tests will be skipped"
fi
exit 0
