#!/usr/bin/env bash
# Makes sure the system packages a part of the project needs are there, the way scripts/broker.sh does for RabbitMQ:
# finds them, installs Debian's packages with apt-get when run as root, and otherwise prints ONE line naming what to
# install and exits 1 (the suite that needed it then fails with that line; nothing is skipped silently).
#
#   bash scripts/deps.sh code-server  what code-server's native addons build with (libkrb5-dev, python3, make, g++)
#   bash scripts/deps.sh chromium   Debian's chromium (drives VS Code in the UI tests, npm start's --screenshot, the bench)
#   bash scripts/deps.sh vscode     code-server and chromium: everything the VS Code suite needs
#   bash scripts/deps.sh oslo       the real oslo.messaging client (python3-oslo.messaging, run with /usr/bin/python3)
#   bash scripts/deps.sh tls        openssl (the scratch node's test CA)
#   bash scripts/deps.sh cluster    flock (util-linux) and rabbitmq-server's tools, for the 3-node cluster
#   bash scripts/deps.sh all        every one of the above
#
# Env: CHROMIUM (a chromium/chrome binary to use instead of /usr/bin/chromium), OSLO_PYTHON (a python3 that imports
# oslo_messaging, instead of /usr/bin/python3). Concurrent runs wait on one lock (apt-get allows one at a time).
set -uo pipefail
say() { echo "deps.sh: $*" >&2; }

need=()    # Debian packages to install
what=()    # human names of what is missing, for the one line
want() { need+=("$1"); what+=("$2"); }

check() {
  case "$1" in
    vscode) check code-server; check chromium ;;
    chromium)
      if [ -n "${CHROMIUM:-}" ]; then [ -x "$CHROMIUM" ] || { say "CHROMIUM=$CHROMIUM is not an executable file."; exit 1; }
      elif [ ! -x /usr/bin/chromium ]; then want chromium "chromium (/usr/bin/chromium)"; fi
      ;;
    code-server)
      dpkg -s libkrb5-dev >/dev/null 2>&1 || want libkrb5-dev "libkrb5-dev (code-server's kerberos addon)"
      command -v python3 >/dev/null 2>&1 || want python3 python3
      { command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; } || want build-essential "make and g++ (build-essential)"
      ;;
    oslo)
      local py=${OSLO_PYTHON:-/usr/bin/python3}
      "$py" -c 'import oslo_messaging' >/dev/null 2>&1 || want python3-oslo.messaging "python3-oslo.messaging (the real oslo.messaging client, for $py)"
      ;;
    tls) command -v openssl >/dev/null 2>&1 || want openssl openssl ;;
    cluster)
      command -v flock >/dev/null 2>&1 || want util-linux "flock (util-linux)"
      command -v rabbitmq-server >/dev/null 2>&1 || want rabbitmq-server rabbitmq-server
      ;;
    all) check vscode; check oslo; check tls; check cluster ;;
    *) say "unknown part \"$1\": use code-server, chromium, vscode, oslo, tls, cluster or all."; exit 2 ;;
  esac
}

[ $# -gt 0 ] || set -- all
for part in "$@"; do check "$part"; done
[ ${#need[@]} = 0 ] && exit 0

# One package list, each once.
mapfile -t need < <(printf '%s\n' "${need[@]}" | awk '!seen[$0]++')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing ${need[*]} (apt-get)…"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; }
  attempt() { install || { apt-get update -qq >/dev/null 2>&1; install; }; }
  if command -v flock >/dev/null 2>&1; then
    ( exec 9>/tmp/rmq-pools-apt.lock; flock -w 600 9; attempt ); ok=$?
  else
    attempt; ok=$?
  fi
  if [ "$ok" != 0 ]; then
    say "apt-get could not install ${need[*]}. Install them yourself (sudo apt-get install ${need[*]}) and run this again."
    exit 1
  fi
  # Check again: a package that installed but does not give what was wanted must not pass unnoticed.
  need=(); what=()
  for part in "$@"; do check "$part"; done
  [ ${#need[@]} = 0 ] && exit 0
  say "still missing after apt-get: ${what[*]}."
  exit 1
fi
say "missing: ${what[*]}. Install it (Debian/Ubuntu: sudo apt-get install ${need[*]}), or run this as root to let it install them."
exit 1
