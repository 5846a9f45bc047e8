#!/usr/bin/env bash
# One separate RabbitMQ node for tests that must break a broker (connections closed, app restarted) or need TLS,
# so that the main node (rabbit@HOST, 5672/15672) and the 3-node cluster (5673-5675) are never disturbed.
#   scripts/scratch-node.sh up       start it if it is not running, wait until AMQP, HTTP and TLS answer (idempotent, fast when up)
#   scripts/scratch-node.sh status   exit 0 when it answers; prints the ports and the CA file
#   scripts/scratch-node.sh down     stop it (the main node is untouched); 'down purge' also deletes its data
#
# node rabbit-scratch@HOST: AMQP 127.0.0.1:5676, HTTP 127.0.0.1:15676, AMQPS 127.0.0.1:5677, HTTPS 127.0.0.1:15677,
# Erlang distribution 25676. Data, logs, config and a locally generated CA + server certificate under $BASE.
# Runs as the 'rabbitmq' user (su, like shared/reference/rabbitmq/cluster.sh) so that it shares the Erlang cookie
# with rabbitmqctl; needs root (or the rabbitmq user) to start.
set -euo pipefail
HOST=$(hostname -s)
NODE=${SCRATCH_NODE:-rabbit-scratch@$HOST}
BASE=${SCRATCH_BASE:-/var/lib/rabbitmq/rmqp-scratch}
AMQP=5676 HTTP=15676 AMQPS=5677 HTTPS=15677 DIST=25676
TLS=$BASE/tls

ctl() { # rabbitmqctl as the rabbitmq user when we are root (same cookie as the node)
  if [ "$(id -u)" = 0 ]; then su rabbitmq -s /bin/sh -c "rabbitmqctl $*"; else rabbitmqctl "$@"; fi
}

answers() {
  curl -sf -o /dev/null -m 3 -u guest:guest "http://127.0.0.1:$HTTP/api/overview" \
    && (exec 3<>/dev/tcp/127.0.0.1/$AMQP) 2>/dev/null \
    && (exec 3<>/dev/tcp/127.0.0.1/$AMQPS) 2>/dev/null \
    && curl -sf -o /dev/null -m 3 --cacert "$TLS/ca.pem" -u guest:guest "https://127.0.0.1:$HTTPS/api/overview"
}

make_certs() { # a CA and a server certificate for 127.0.0.1 / localhost / HOST, made once
  [ -s "$TLS/server.pem" ] && [ -s "$TLS/ca.pem" ] && return 0
  mkdir -p "$TLS"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rmqp-scratch test CA" \
    -keyout "$TLS/ca.key" -out "$TLS/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" > "$TLS/server.ext"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 3650 \
    -extfile "$TLS/server.ext" -out "$TLS/server.pem" 2>/dev/null
  chmod 644 "$TLS/ca.pem" "$TLS/server.pem"
}

start() {
  mkdir -p "$BASE"/{mnesia,log}
  make_certs
  cat > "$BASE/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP
listeners.ssl.default = 127.0.0.1:$AMQPS
ssl_options.cacertfile = $TLS/ca.pem
ssl_options.certfile = $TLS/server.pem
ssl_options.keyfile = $TLS/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
management.tcp.port = $HTTP
management.tcp.ip = 127.0.0.1
management.ssl.port = $HTTPS
management.ssl.ip = 127.0.0.1
management.ssl.cacertfile = $TLS/ca.pem
management.ssl.certfile = $TLS/server.pem
management.ssl.keyfile = $TLS/server.key
loopback_users = none
collect_statistics_interval = 1000
CONF
  echo '[rabbitmq_management].' > "$BASE/enabled_plugins"   # enabled before boot: no restart
  chown -R rabbitmq:rabbitmq "$BASE"
  chmod 600 "$TLS/ca.key" "$TLS/server.key"
  su rabbitmq -s /bin/sh -c "\
    RABBITMQ_NODENAME=$NODE \
    RABBITMQ_DIST_PORT=$DIST \
    RABBITMQ_MNESIA_BASE=$BASE/mnesia \
    RABBITMQ_LOG_BASE=$BASE/log \
    RABBITMQ_CONFIG_FILE=$BASE/rabbitmq.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins \
    RABBITMQ_PID_FILE=$BASE/pid \
    RABBITMQ_SCHEDULER_BUSY_WAIT_THRESHOLD=none \
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached"
}

wait_up() { # bounded: 120 s
  local deadline=$(( $(date +%s) + 120 ))
  until ctl -q -n "$NODE" await_startup --timeout 60 >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "scratch-node: $NODE did not start (log: $BASE/log)" >&2; return 1; }
    sleep 0.3
  done
  # after a stop_app (fault tests) the node runs but the app does not: start it
  until answers; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "scratch-node: $NODE does not answer on $AMQP/$HTTP/$AMQPS/$HTTPS" >&2; return 1; }
    sleep 0.3
  done
}

node_running() { ctl -q -n "$NODE" eval 'ok.' >/dev/null 2>&1; }

case "${1:-}" in
up)
  if answers; then echo "$NODE up (AMQP $AMQP, HTTP $HTTP, AMQPS $AMQPS, HTTPS $HTTPS, CA $TLS/ca.pem)"; exit 0; fi
  if node_running; then
    ctl -q -n "$NODE" start_app >/dev/null 2>&1 || true   # left stopped by an interrupted fault test
  else
    start
  fi
  wait_up
  echo "$NODE up (AMQP $AMQP, HTTP $HTTP, AMQPS $AMQPS, HTTPS $HTTPS, CA $TLS/ca.pem)"
  ;;
status)
  if answers; then echo "$NODE up (AMQP $AMQP, HTTP $HTTP, AMQPS $AMQPS, HTTPS $HTTPS, CA $TLS/ca.pem)"; else echo "$NODE down"; exit 1; fi
  ;;
down)
  if node_running; then ctl -q -n "$NODE" stop >/dev/null 2>&1 || true; fi
  [ "${2:-}" = purge ] && rm -rf "$BASE"
  echo "$NODE stopped"
  ;;
*) echo "usage: $0 up|status|down [purge]" >&2; exit 2 ;;
esac
