#!/usr/bin/env bash
# Check that RabbitMQ (and PostgreSQL) answer; start them when installed but down; otherwise say
# what to install. Usage: ensure-infra.sh [rabbitmq] [postgres]   (default: both)
set -uo pipefail
want=("$@"); [ ${#want[@]} -eq 0 ] && want=(rabbitmq postgres)
RABBIT_HOST=${RABBIT_HOST:-127.0.0.1}; RABBIT_PORT=${RABBIT_PORT:-5672}
PG_HOST=${PG_HOST:-127.0.0.1}; PG_PORT=${PG_PORT:-5432}

answers() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 2; i++)); do answers "$2" "$3" && return 0; sleep 0.5; done
  return 1
}

ensure_rabbitmq() {
  answers "$RABBIT_HOST" "$RABBIT_PORT" && { echo "RabbitMQ answers on $RABBIT_HOST:$RABBIT_PORT"; return 0; }
  if command -v rabbitmq-server >/dev/null; then
    echo "RabbitMQ is installed but down: starting it"
    # A node that runs with its app stopped (after `rabbitmqctl stop_app`) needs start_app;
    # a node that is not running needs the server started.
    if command -v rabbitmqctl >/dev/null && timeout 20 rabbitmqctl -q ping >/dev/null 2>&1; then
      timeout 120 rabbitmqctl start_app >/dev/null 2>&1 || true
    else
      rabbitmq-server -detached >/dev/null 2>&1 || true
    fi
    wait_for rabbitmq "$RABBIT_HOST" "$RABBIT_PORT" 60 && { echo "RabbitMQ started"; return 0; }
    echo "RabbitMQ did not come up on $RABBIT_HOST:$RABBIT_PORT within 60 s" >&2; return 1
  fi
  echo "RabbitMQ is not installed. Install it (Debian: apt-get install rabbitmq-server) or point AMQP_URI at a broker." >&2
  return 1
}

ensure_postgres() {
  answers "$PG_HOST" "$PG_PORT" && { echo "PostgreSQL answers on $PG_HOST:$PG_PORT"; return 0; }
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    echo "PostgreSQL is installed but down: starting it"
    for v in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true; done
    wait_for postgres "$PG_HOST" "$PG_PORT" 60 && { echo "PostgreSQL started"; return 0; }
    echo "PostgreSQL did not come up on $PG_HOST:$PG_PORT within 60 s" >&2; return 1
  fi
  echo "PostgreSQL is not installed. Install it (Debian: apt-get install postgresql) with trust auth and a database 'test'." >&2
  return 1
}

rc=0
for w in "${want[@]}"; do
  case "$w" in
    rabbitmq) ensure_rabbitmq || rc=1 ;;
    postgres) ensure_postgres || rc=1 ;;
    *) echo "unknown service $w" >&2; rc=2 ;;
  esac
done
exit $rc
