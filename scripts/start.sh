#!/usr/bin/env bash
# npm start: build, package the .vsix, make sure a local RabbitMQ runs, and open the extension in VS Code.
#  - with a desktop `code` CLI: installs the .vsix into it and opens a new window;
#  - otherwise: a code-server (real VS Code 1.100.3 in the browser) with a persistent profile in .e2e/start/, started in the
#    background on 127.0.0.1; prints the URL and how to stop it, then returns.
# Options: --stop               stop the code-server a previous `npm start` left running (its PID is in .e2e/start/server.pid)
#          --screenshot FILE    also save a screenshot of the workbench with the RabbitMQ Pools view open (e.g. for docs/)
#          --no-desktop         use code-server even when a desktop `code` exists
# Env: PORT (first port to try, default 18800), START_FOLDER (folder to open; default an empty one in the profile).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
S="$ROOT/.e2e/start"
VSIX="$ROOT/dist/rabbitmq-pool-inspector.vsix"
SHOT=""; DESKTOP=1; STOP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --stop) STOP=1 ;;
    --screenshot) SHOT=$(realpath -m "$2"); shift ;;
    --no-desktop) DESKTOP=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "== start: $*"; }

# shellcheck source=scripts/install-code-server.sh
source "$ROOT/scripts/install-code-server.sh"

running_pid() { local p; p=$(cat "$S/server.pid" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; }

if [ "$STOP" = 1 ]; then
  if pid=$(running_pid); then cs_stop "$S"; say "stopped code-server (pid $pid)"; else say "no code-server from npm start is running"; fi
  exit 0
fi

npm run build
npm run package
bash scripts/broker.sh

# A desktop VS Code (not code-server's own `code`, not when asked for the browser).
if [ "$DESKTOP" = 1 ] && command -v code >/dev/null 2>&1 && ! code --version 2>/dev/null | grep -qi code-server; then
  code --install-extension "$VSIX" --force
  code --new-window ${START_FOLDER:+"$START_FOLDER"}
  say "installed $(basename "$VSIX") into VS Code and opened a window: open the RabbitMQ Pools view in the activity bar."
  exit 0
fi

ensure_code_server
# A server from an earlier `npm start` still has the old extension loaded: replace it.
if pid=$(running_pid); then say "stopping the previous code-server (pid $pid)"; cs_stop "$S"; fi
cs_profile "$S"
if [ -n "${START_FOLDER:-}" ]; then rm -rf "$S/ws"; ln -s "$(realpath "$START_FOLDER")" "$S/ws"; fi
cs_install_vsix "$S" "$VSIX" > "$S/install.log" 2>&1 || { cat "$S/install.log"; exit 1; }
cs_start "$S" "${PORT:-18800}"

if [ -n "$SHOT" ]; then
  bash scripts/deps.sh chromium || exit 1
  CS_URL="$CS_URL" node --input-type=module -e '
    import { launchWorkbench, openContainer, treeRow, treeRows } from "./test/vscode/ui/helpers.mjs";
    const wb = await launchWorkbench();
    try {
      await openContainer(wb.page);
      await treeRow(wb.page, "localhost").waitFor({ timeout: 30000 });
      await treeRows(wb.page).nth(1).waitFor({ timeout: 30000 }).catch(() => undefined);
      await wb.page.waitForTimeout(500); // let the tree finish painting
      await wb.page.screenshot({ path: process.argv[1] });
    } finally { await wb.close(); }
  ' "$SHOT" || { say "screenshot failed"; }
  [ -f "$SHOT" ] && say "screenshot: $SHOT"
fi

cat <<EOF
== start: RabbitMQ Pool Inspector runs in VS Code (code-server) at:

    $CS_URL

   Open it in a browser and click "RabbitMQ Pools" in the activity bar. Log: $S/server.log
   Stop it with:  kill $CS_PID      (or: npm start -- --stop)
EOF
