#!/usr/bin/env bash
# A dedicated RabbitMQ node for the benchmark's large shapes (bench/lib/shapes.mjs: 10,000–50,000 queues), so that the
# shared main node (rabbit@HOST, 5672/15672) that other tests use never carries them.
#   scripts/bench-node.sh up       start it if it is not running and wait until AMQP and HTTP answer (idempotent)
#   scripts/bench-node.sh status   exit 0 when it answers; prints the ports and the beam.smp PID
#   scripts/bench-node.sh pid      the node's beam.smp PID (for broker CPU from /proc/PID/stat)
#   scripts/bench-node.sh down     stop it by its PID (the main node is untouched) and delete its data
#
# node rabbit-bench@HOST: AMQP 127.0.0.1:5692, HTTP 127.0.0.1:15692, Erlang distribution 25692. Data, logs and config
# under $BASE (/tmp). Runs as the 'rabbitmq' user so that it shares the Erlang cookie with rabbitmqctl.
set -euo pipefail
HOST=$(hostname -s)
NODE=${BENCH_NODE:-rabbit-bench@$HOST}
BASE=${BENCH_BASE:-/tmp/rmqp-bench-node}
AMQP=5692 HTTP=15692 DIST=25692

ctl() { if [ "$(id -u)" = 0 ]; then su rabbitmq -s /bin/sh -c "rabbitmqctl $*"; else rabbitmqctl "$@"; fi; }
answers() { curl -sf -o /dev/null -m 3 -u guest:guest "http://127.0.0.1:$HTTP/api/overview" && (exec 3<>/dev/tcp/127.0.0.1/$AMQP) 2>/dev/null; }
node_running() { ctl -q -n "$NODE" eval 'ok.' >/dev/null 2>&1; }
beam_pid() { ctl -q -n "$NODE" eval "'list_to_integer(os:getpid()).'" 2>/dev/null | tr -d '\r\n '; }

start() {
  mkdir -p "$BASE"/{mnesia,log}
  cat > "$BASE/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP
management.tcp.port = $HTTP
management.tcp.ip = 127.0.0.1
loopback_users = none
collect_statistics_interval = 5000
vm_memory_high_watermark.relative = 0.6
CONF
  echo '[rabbitmq_management].' > "$BASE/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$BASE"
  su rabbitmq -s /bin/sh -c "\
    RABBITMQ_NODENAME=$NODE RABBITMQ_DIST_PORT=$DIST \
    RABBITMQ_MNESIA_BASE=$BASE/mnesia RABBITMQ_LOG_BASE=$BASE/log \
    RABBITMQ_CONFIG_FILE=$BASE/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins \
    RABBITMQ_PID_FILE=$BASE/pid RABBITMQ_SCHEDULER_BUSY_WAIT_THRESHOLD=none \
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached"
}

wait_up() {
  local deadline=$(( $(date +%s) + 180 ))
  until answers; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "bench-node: $NODE does not answer on $AMQP/$HTTP (log: $BASE/log)" >&2; return 1; }
    sleep 0.5
  done
}

case "${1:-}" in
up)
  if ! answers; then node_running || start; wait_up; fi
  echo "$NODE up (AMQP $AMQP, HTTP $HTTP, pid $(cat "$BASE/pid" 2>/dev/null || beam_pid))"
  ;;
status) if answers; then echo "$NODE up (AMQP $AMQP, HTTP $HTTP, pid $(cat "$BASE/pid" 2>/dev/null))"; else echo "$NODE down"; exit 1; fi ;;
pid) cat "$BASE/pid" ;;
down) # by its own PID (SIGTERM: RabbitMQ stops cleanly), never by name; then its data goes
  if [ -s "$BASE/pid" ] && kill -0 "$(cat "$BASE/pid")" 2>/dev/null; then
    p=$(cat "$BASE/pid"); kill "$p"
    for _ in $(seq 1 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$BASE"
  echo "$NODE stopped"
  ;;
*) echo "usage: $0 up|status|pid|down" >&2; exit 2 ;;
esac
