#!/usr/bin/env bash
# Makes sure a RabbitMQ answers on AMQP with its management API on HTTP, and waits until it does.
#  - honours RABBITMQ_URL / RABBITMQ_MANAGEMENT_URL (default amqp://guest:guest@127.0.0.1:5672, http://127.0.0.1:15672);
#  - uses a broker that runs; starts an installed one that is stopped; installs Debian's rabbitmq-server when run as
#    root with apt and none is installed; enables rabbitmq_management idempotently (about 2 s, no restart);
#  - waits with a deadline (BROKER_WAIT_SECONDS, default 90) and otherwise stops with a message that says what to do.
# Only a local broker (127.0.0.0/8 or localhost) is ever started or changed; a remote one is only waited for.
set -euo pipefail
AMQP_URL=${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}
MGMT_URL=${RABBITMQ_MANAGEMENT_URL:-http://127.0.0.1:15672}
DEADLINE=$(( $(date +%s) + ${BROKER_WAIT_SECONDS:-90} ))
say() { echo "broker.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# host/port/credentials from the URLs (no password is ever printed)
amqp_hostport=$(node -e 'const u=new URL(process.argv[1]);console.log(u.hostname+" "+(u.port||(u.protocol==="amqps:"?5671:5672)))' "$AMQP_URL")
read -r AMQP_HOST AMQP_PORT <<<"$amqp_hostport"
MGMT_AUTH=$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.username||"guest")+":"+decodeURIComponent(u.password||"guest"))' "$AMQP_URL")
MGMT_BASE=${MGMT_URL%/}
local_host() { [[ "$AMQP_HOST" == localhost || "$AMQP_HOST" == 127.* || "$AMQP_HOST" == "::1" ]]; }

amqp_up() { node -e 'const s=require("net").connect(+process.argv[2],process.argv[1]);s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));setTimeout(()=>process.exit(1),1500)' "$AMQP_HOST" "$AMQP_PORT"; }
api_code() { curl -s -o /dev/null -w '%{http_code}' -m 5 -u "$MGMT_AUTH" "$MGMT_BASE/api/overview" || true; }
time_left() { [ "$(date +%s)" -lt "$DEADLINE" ]; }

if ! amqp_up; then
  local_host || die "Nothing answers on AMQP at $AMQP_HOST:$AMQP_PORT. Start that broker, or unset RABBITMQ_URL to use a local one."
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "RabbitMQ is not installed: installing Debian's rabbitmq-server (apt-get)…"
      (apt-get install -y -qq rabbitmq-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server; }) \
        || die "Could not install rabbitmq-server with apt-get. Install it yourself (Debian: sudo apt-get install rabbitmq-server) and run this again."
    else
      die "RabbitMQ is not installed and nothing answers on $AMQP_HOST:$AMQP_PORT. Install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server; macOS: brew install rabbitmq; or docker run -p 5672:5672 -p 15672:15672 rabbitmq:3-management), or point RABBITMQ_URL at a broker."
    fi
  fi
  say "starting RabbitMQ (rabbitmq-server -detached)…"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  # await_startup fails at once (code 69) while the node is not registered yet: retry until the deadline.
  until rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; do
    time_left || die "RabbitMQ did not start within ${BROKER_WAIT_SECONDS:-90} s. See its log in /var/log/rabbitmq/ and run 'rabbitmq-server' in a terminal to see why."
    sleep 1
  done
  until amqp_up; do time_left || die "RabbitMQ runs but does not listen on $AMQP_HOST:$AMQP_PORT: check listeners.tcp in /etc/rabbitmq/rabbitmq.conf."; sleep 0.5; done
fi

code=$(api_code)
if [ "$code" != 200 ]; then
  if [ "$code" = 401 ]; then die "The management API at $MGMT_BASE refuses the credentials of RABBITMQ_URL (HTTP 401). Fix the user/password, or give the user the 'management' tag."; fi
  if local_host && command -v rabbitmq-plugins >/dev/null 2>&1; then
    say "enabling the management plugin (rabbitmq-plugins enable rabbitmq_management)…"
    rabbitmq-plugins -q enable rabbitmq_management >/dev/null 2>&1 || say "rabbitmq-plugins failed; waiting in case it is already starting"
  fi
  until [ "$(api_code)" = 200 ]; do
    time_left || die "The management API at $MGMT_BASE/api/overview does not answer (last HTTP code: $(api_code)). Enable it: rabbitmq-plugins enable rabbitmq_management, or set RABBITMQ_MANAGEMENT_URL."
    sleep 0.5
  done
fi
version=$(curl -s -m 5 -u "$MGMT_AUTH" "$MGMT_BASE/api/overview?columns=rabbitmq_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).rabbitmq_version)}catch{console.log("?")}})')
say "RabbitMQ $version ready: AMQP $AMQP_HOST:$AMQP_PORT, management $MGMT_BASE"
