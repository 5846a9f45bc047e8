#!/usr/bin/env bash
# The real activation time in VS Code's extension host: code-server 4.100.3 (scripts/install-code-server.sh) with the
# production .vsix that `npm run bench` built (bench/.build/prod/dist/*.vsix) installed into a fresh, isolated profile;
# Chromium opens the workbench, shows the RabbitMQ Pools view (which activates the extension: onView), then reads the
# activation time VS Code itself measured (code loading + activate() call) from "Developer: Show Running Extensions".
# Runs RUNS (default 3) cold starts of the server; VSIX= another .vsix (to compare two builds in one session). SETTLE_MS=8000 opens the view only after the workbench has settled (see
# exthost-activation.mjs); OUT_NAME names the result file (default exthost-activation). Prints one JSON line per run and a summary; writes
# bench/results/exthost-activation.json. Stops only the server it started (its own process group).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VSIX="${VSIX:-$ROOT/bench/.build/prod/dist/rabbitmq-pool-inspector.vsix}"
[ -f "$VSIX" ] || { echo "no $VSIX: run npm run bench (figure size) first" >&2; exit 2; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "exthost activation needs Debian's Chromium at ${CHROMIUM:-/usr/bin/chromium}: apt-get install -y chromium (or set CHROMIUM)" >&2; exit 2; }
# shellcheck source=scripts/install-code-server.sh
source "$ROOT/scripts/install-code-server.sh"
ensure_code_server || exit 1
E="$ROOT/bench/.build/exthost"
OUT="$ROOT/bench/results/${OUT_NAME:-exthost-activation}.json"
: > "$E.runs" 2>/dev/null || { mkdir -p "$(dirname "$E")"; : > "$E.runs"; }
trap 'cs_stop "$E"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for run in $(seq "${RUNS:-3}"); do
  rm -rf "$E"; cs_profile "$E" || exit 1
  cs_install_vsix "$E" "$VSIX" > "$E/install.log" 2>&1 || { cat "$E/install.log"; exit 1; }
  cs_start "$E" "${PORT:-18380}" || exit 1
  CS_URL="$CS_URL" CS_PROFILE="$E" node "$ROOT/bench/exthost-activation.mjs" > "$E.out" || { cat "$E.out" >&2; cs_stop "$E"; exit 1; }
  grep '^{' "$E.out" >> "$E.runs"; grep -o '"activationMs":[0-9.]*' "$E.out" >&2
  cs_stop "$E"
done
node -e '
const runs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const ms = runs.map((r) => r.activationMs).sort((a, b) => a - b);
const out = { codeServer: "4.100.3", settleMs: Number(process.env.SETTLE_MS ?? 0), runs, medianMs: ms[ms.length >> 1] };
require("fs").writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
console.log(`activation in the extension host: median ${out.medianMs} ms over ${ms.length} cold starts (${ms.join(", ")} ms)`);
' "$E.runs" "$OUT"
