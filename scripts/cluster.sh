#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on this one machine, beside the main broker (rabbit@… on 5672/15672, never touched here),
# for the cluster tests (npm run test:cluster) and for trying the extension against a cluster.
#
#   scripts/cluster.sh up               start rabbit-c1..c3 (idempotent: running nodes are left alone), join c2, c3 to c1
#   scripts/cluster.sh status           each node's state and the cluster as c1 sees it; exit 0 only when all 3 run
#   scripts/cluster.sh down [purge]     stop the three nodes (only them); 'purge' also deletes their data
#   scripts/cluster.sh up --lease NAME:PID / down --lease NAME:PID
#                                       test runs hold a lease while they use the cluster: 'down' stops the nodes only
#                                       when no other live lease remains (a lease whose PID is gone is stale); 'down
#                                       --force' stops them regardless
#   scripts/cluster.sh restart-node cN  start node cN again (after kill-node or a stop) and wait for it
#   scripts/cluster.sh stop-node cN     stop node cN gracefully (rabbitmqctl stop)
#   scripts/cluster.sh kill-node cN     kill -9 node cN's beam.smp (its PID from rabbitmqctl eval 'os:getpid().')
#   scripts/cluster.sh env              the URLs, as shell variables (CLUSTER_AMQP_URLS, CLUSTER_MANAGEMENT_URLS)
#
# node        AMQP  HTTP   Erlang distribution
# rabbit-c1   5673  15673  25673
# rabbit-c2   5674  15674  25674
# rabbit-c3   5675  15675  25675
#
# Nodes run as the 'rabbitmq' user (su from root) so that they share /var/lib/rabbitmq/.erlang.cookie with the CLI
# tools; every listener is on 127.0.0.1. Every wait has a deadline (CLUSTER_WAIT_SECONDS, default 120).
# Env: CLUSTER_BASE (data, default /var/lib/rabbitmq/pool-inspector-cluster), CLUSTER_HOST (host part of the node
# names, default `hostname -s`; it must resolve to this machine).
set -euo pipefail
HOST=${CLUSTER_HOST:-$(hostname -s)}
# Fixed paths, not $TMPDIR: the VS Code e2e run gives code-server a TMPDIR of its own, and it must see the same lock.
LOCK=${CLUSTER_LOCK:-/tmp/rmq-pools-cluster.lock}
LEASES=${CLUSTER_LEASES:-/tmp/rmq-pools-cluster.leases}
BASE=${CLUSTER_BASE:-/var/lib/rabbitmq/pool-inspector-cluster}
WAIT=${CLUSTER_WAIT_SECONDS:-120}
NODES=(c1 c2 c3)
RMQ_BIN=/usr/lib/rabbitmq/bin

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }
amqp_port() { echo $((5672 + ${1#c})); }
http_port() { echo $((15672 + ${1#c})); }
nname() { echo "rabbit-$1@$HOST"; }
valid_node() { [[ "${1:-}" =~ ^c[123]$ ]] || die "unknown node '${1:-}': use c1, c2 or c3"; }
now() { date +%s; }

require_rabbitmq() {
  if ! command -v rabbitmqctl >/dev/null 2>&1 || [ ! -x "$RMQ_BIN/rabbitmq-server" ]; then
    die "rabbitmq-server is not installed (no rabbitmqctl / $RMQ_BIN/rabbitmq-server). Install it: sudo apt-get install rabbitmq-server (Debian/Ubuntu); the cluster tests need it."
  fi
  id rabbitmq >/dev/null 2>&1 || die "there is no 'rabbitmq' user: install Debian's rabbitmq-server package (it creates the user and the Erlang cookie)."
  if [ "$(id -u)" != 0 ] && [ "$(id -un)" != rabbitmq ]; then
    die "run this as root (or as the 'rabbitmq' user): the nodes must share /var/lib/rabbitmq/.erlang.cookie with rabbitmqctl."
  fi
  getent hosts "$HOST" >/dev/null 2>&1 || die "the host name '$HOST' does not resolve: add '127.0.0.1 $HOST' to /etc/hosts or set CLUSTER_HOST=localhost."
}

# rabbitmqctl against one node, with a timeout so that a hung node cannot hang us.
ctl() { local n=$1; shift; timeout 60 rabbitmqctl -q -n "$(nname "$n")" "$@"; }

# True when the node is registered with epmd (fast: no Erlang CLI start-up); a VM that exits unregisters at once.
registered() { epmd -names 2>/dev/null | grep -q "^name rabbit-$1 at port "; }
# True when the node's Erlang VM answers (not necessarily the rabbit app).
vm_up() { registered "$1" && timeout 15 rabbitmqctl -q -n "$(nname "$1")" eval 'ok.' >/dev/null 2>&1; }
# True when the rabbit app runs on the node and the management API answers.
node_ready() {
  timeout 15 rabbitmqctl -q -n "$(nname "$1")" await_startup --timeout 5 >/dev/null 2>&1 \
    && curl -sf -m 3 -o /dev/null -u guest:guest "http://127.0.0.1:$(http_port "$1")/api/overview"
}

as_rabbitmq() {
  if [ "$(id -u)" = 0 ]; then su rabbitmq -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

start_node() { # $1 = c1|c2|c3; returns at once (the node boots in the background)
  local n=$1 dir=$BASE/$1
  mkdir -p "$dir"/{mnesia,log}
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$(amqp_port "$n")
management.tcp.port = $(http_port "$n")
management.tcp.ip = 127.0.0.1
loopback_users = none
collect_statistics_interval = 1000
CONF
  echo '[rabbitmq_management].' > "$dir/enabled_plugins"   # enabled before boot: no restart needed
  # (9>&- below: the node must not inherit the lock of this script, or the next cluster.sh would wait for it forever)
  [ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$BASE"
  # su (not 'su -') keeps HOME=/var/lib/rabbitmq (the shared cookie). ERL_EPMD_ADDRESS / inet_dist_use_interface keep the
  # Erlang distribution on loopback, like the main node's rabbitmq-env.conf does.
  as_rabbitmq "cd '$dir' && \
    RABBITMQ_NODENAME=$(nname "$n") \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$(amqp_port "$n") \
    RABBITMQ_DIST_PORT=$((20000 + $(amqp_port "$n"))) \
    RABBITMQ_MNESIA_BASE='$dir/mnesia' \
    RABBITMQ_LOG_BASE='$dir/log' \
    RABBITMQ_CONFIG_FILE='$dir/rabbitmq.conf' \
    RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins' \
    RABBITMQ_PID_FILE='$dir/rabbit.pid' \
    RABBITMQ_SCHEDULER_BUSY_WAIT_THRESHOLD=none \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_FLAGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    $RMQ_BIN/rabbitmq-server -detached" >"$dir/log/start.out" 2>&1 9>&- || { cat "$dir/log/start.out" >&2; die "rabbitmq-server failed to start $(nname "$n")"; }
}

wait_node() { # $1 = node; waits with a deadline for the app and the management API
  local n=$1 t0 deadline
  t0=$(now); deadline=$((t0 + WAIT))
  # await_startup fails at once (code 69) while the node has not registered with epmd yet: retry.
  until timeout 70 rabbitmqctl -q -n "$(nname "$n")" await_startup --timeout 60 >/dev/null 2>&1; do
    [ "$(now)" -lt "$deadline" ] || die "$(nname "$n") did not start within $WAIT s; see $BASE/$n/log/"
    sleep 0.5
  done
  until curl -sf -m 3 -o /dev/null -u guest:guest "http://127.0.0.1:$(http_port "$n")/api/overview"; do
    [ "$(now)" -lt "$deadline" ] || die "the management API of $(nname "$n") (http://127.0.0.1:$(http_port "$n")) did not answer within $WAIT s"
    sleep 0.3
  done
  say "$(nname "$n") up (AMQP $(amqp_port "$n"), HTTP $(http_port "$n")) after $(( $(now) - t0 )) s"
}

wait_gone() { # $1 = node; waits until its VM has exited (unregistered from epmd)
  local deadline=$(( $(now) + WAIT ))
  while registered "$1"; do
    [ "$(now)" -lt "$deadline" ] || die "$(nname "$1") is still running after $WAIT s"
    sleep 0.2
  done
}

running_nodes() { # the running nodes as c1 sees them, one per line
  ctl c1 eval 'rabbit_nodes:all_running().' 2>/dev/null | tr -d "[]' " | tr ',' '\n' | sed -n 's/^rabbit-\(c[123]\)@.*/\1/p'
}
cluster_members() { # every node of c1's cluster (running or not), one per line
  ctl c1 eval 'rabbit_nodes:all().' 2>/dev/null | tr -d "[]' " | tr ',' '\n' | sed -n 's/^rabbit-\(c[123]\)@.*/\1/p'
}

cmd_up() {
  require_rabbitmq
  local t0 started=()
  t0=$(now)
  # Start every stopped node together: nodes that were clustered wait for their peers at boot (the last one stopped
  # must come back first, or each waits up to 5 min); started together, they find each other at once.
  for n in "${NODES[@]}"; do
    if vm_up "$n"; then say "$(nname "$n") already runs"; else start_node "$n"; started+=("$n"); fi
  done
  for n in "${NODES[@]}"; do wait_node "$n"; done
  local members
  members=$(cluster_members)
  for n in c2 c3; do
    if grep -qx "$n" <<<"$members"; then continue; fi
    say "joining $(nname "$n") to $(nname c1)"
    local log=$BASE/$n/log/join.out
    { ctl "$n" stop_app && ctl "$n" reset && ctl "$n" join_cluster "$(nname c1)" && ctl "$n" start_app; } >"$log" 2>&1 \
      || { cat "$log" >&2; die "joining $(nname "$n") to $(nname c1) failed"; }
    # (reset: join_cluster needs a blank node; it wipes c2/c3's own test data only)
    wait_node "$n"
  done
  local deadline=$(( $(now) + WAIT ))
  until [ "$(running_nodes | sort | tr '\n' ' ')" = "c1 c2 c3 " ]; do
    [ "$(now)" -lt "$deadline" ] || die "the cluster did not reach 3 running nodes within $WAIT s (running: $(running_nodes | tr '\n' ' '))"
    sleep 0.5
  done
  if [ -n "$LEASE_NAME" ]; then mkdir -p "$LEASES"; echo "$LEASE_PID" > "$LEASES/$LEASE_NAME"; fi
  say "cluster up: c1 c2 c3 running (started: ${started[*]:-none}) in $(( $(now) - t0 )) s"
  cmd_env
}

# --lease NAME:PID → LEASE_NAME, LEASE_PID; --force → FORCE=1; other words → ARGS
parse_opts() {
  LEASE_NAME=''; LEASE_PID=''; FORCE=0; ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --lease) [[ "${2:-}" =~ ^([A-Za-z0-9._-]+):([0-9]+)$ ]] || die "--lease wants NAME:PID, e.g. --lease cluster-test:\$\$"
               LEASE_NAME=${BASH_REMATCH[1]}; LEASE_PID=${BASH_REMATCH[2]}; shift 2 ;;
      --force) FORCE=1; shift ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
}

# Live leases other than our own (stale ones, whose process is gone, are deleted on the way).
other_leases() {
  mkdir -p "$LEASES"
  local f name pid
  for f in "$LEASES"/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f"); pid=$(cat "$f" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then rm -f "$f"; continue; fi
    [ "$name" = "$LEASE_NAME" ] && continue
    echo "$name (pid $pid)"
  done
}

cmd_down() {
  require_rabbitmq
  if [ -n "$LEASE_NAME" ]; then rm -f "$LEASES/$LEASE_NAME"; fi
  if [ "$FORCE" != 1 ]; then
    local others
    others=$(other_leases | tr '\n' ' ')
    if [ -n "$others" ]; then say "not stopping the cluster: still used by ${others}(down --force stops it anyway)"; return 0; fi
  fi
  # The three stop together (a third of the time). Clustered nodes that stop wait at their next boot for the last one
  # stopped; cmd_up always starts all of them together, so the order does not matter here.
  local pids=() rc=0
  for n in c3 c2 c1; do
    if registered "$n"; then
      ( ctl "$n" stop >/dev/null 2>&1 || true; wait_gone "$n"; say "$(nname "$n") stopped" ) &
      pids+=($!)
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ "$rc" = 0 ] || die "a node did not stop"
  if [ "${1:-}" = purge ]; then rm -rf "$BASE"; say "deleted $BASE"; fi
}

cmd_status() {
  require_rabbitmq
  local up=0
  for n in "${NODES[@]}"; do
    if node_ready "$n"; then echo "$(nname "$n")  running  AMQP 127.0.0.1:$(amqp_port "$n")  HTTP http://127.0.0.1:$(http_port "$n")"; up=$((up + 1))
    elif vm_up "$n"; then echo "$(nname "$n")  starting (VM up, app or management not ready)"
    else echo "$(nname "$n")  stopped"; fi
  done
  if [ "$up" -gt 0 ]; then
    for n in "${NODES[@]}"; do
      if node_ready "$n"; then
        echo "cluster as $(nname "$n") sees it:"
        curl -s -m 5 -u guest:guest "http://127.0.0.1:$(http_port "$n")/api/nodes?columns=name,running,mem_alarm,disk_free_alarm,partitions" | tr '}' '\n' | sed 's/^[,[]*{/  /' | grep . || true
        break
      fi
    done
  fi
  [ "$up" = 3 ]
}

cmd_kill() {
  require_rabbitmq; valid_node "$1"
  local pid
  pid=$(ctl "$1" eval 'os:getpid().' 2>/dev/null | tr -d '"[:space:]') || true
  [[ "$pid" =~ ^[0-9]+$ ]] || die "$(nname "$1") does not run (no PID from rabbitmqctl eval)"
  kill -9 "$pid"
  wait_gone "$1"
  say "$(nname "$1") killed (kill -9 $pid)"
}

cmd_stop_node() {
  require_rabbitmq; valid_node "$1"
  if vm_up "$1"; then ctl "$1" stop >/dev/null; wait_gone "$1"; fi
  say "$(nname "$1") stopped"
}

cmd_restart() {
  require_rabbitmq; valid_node "$1"
  if vm_up "$1"; then say "$(nname "$1") already runs"; else start_node "$1"; fi
  wait_node "$1"
}

cmd_env() {
  echo "CLUSTER_AMQP_URLS=amqp://127.0.0.1:5673,amqp://127.0.0.1:5674,amqp://127.0.0.1:5675"
  echo "CLUSTER_MANAGEMENT_URLS=http://127.0.0.1:15673,http://127.0.0.1:15674,http://127.0.0.1:15675"
}

# One cluster command at a time on this machine (two test runs sharing it must not stop each other's nodes mid-way).
if [[ "${1:-}" =~ ^(up|down|kill-node|stop-node|restart-node)$ ]]; then
  exec 9>"$LOCK"
  flock -w "$WAIT" 9 || die "another scripts/cluster.sh is still running after $WAIT s (lock $LOCK)"
fi

CMD=${1:-}
[ $# -gt 0 ] && shift
parse_opts "$@"
set -- "$CMD" "${ARGS[@]}"
case "$CMD" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  kill-node) cmd_kill "${2:-}" ;;
  stop-node) cmd_stop_node "${2:-}" ;;
  restart-node) cmd_restart "${2:-}" ;;
  env) cmd_env ;;
  *) echo "usage: $0 up [--lease NAME:PID] | down [purge] [--lease NAME:PID] [--force] | status | restart-node cN | stop-node cN | kill-node cN | env" >&2; exit 2 ;;
esac
