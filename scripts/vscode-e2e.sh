#!/usr/bin/env bash
# npm run test:vscode: the extension in a real VS Code, offline. code-server 4.100.3 (VS Code 1.100.3 server + web
# workbench) runs the extension in a real Node extension host; Debian's chromium drives the workbench.
#   (a) the mocha suite test/vscode/suite/*.test.ts INSIDE the extension host (extensionDevelopmentPath = this project);
#   (b) the Playwright UI tests test/vscode/ui/*.test.mjs against the packaged .vsix installed in the server.
# Writes test-results/vscode.counts ("PASSED FAILED" over both parts; scripts/test-all.sh reads it) and exits non-zero on
# any failure. A failing (a) does not skip (b). Screenshots: test-results/screenshots/. State: .e2e/vscode/ (gitignored).
# Assumes `npm run build` ran (builds when dist/extension.js is missing).
# Env: PORT (first port to try, default 18080; another is picked when busy), EXT_TEST_TIMEOUT_MS (default 600000: the cluster test starts three nodes),
#      CODE_SERVER_DIR (see scripts/install-code-server.sh), VERBOSE=1, KEEP_SERVER=1 (leave the server running; prints how to stop),
#      E2E_DIR (state folder), TEST_FILES (regex on extension-host test file names, e.g. "pools|tree"; "none" skips that part),
#      UI_FILES (regex on UI test file names; "none" skips the UI part), TEST_GREP (regex on extension-host test titles).
#      Filters are for development: npm test (scripts/test-all.sh) unsets them and runs everything.
# Unfiltered, each part must run at least as many tests as test/floors.json says it has ("vscode-exthost", checked by the
# suite's own runner, and "vscode-ui" here); fewer counts one failure. An .only in a UI file fails the run (node --test
# would otherwise ignore it or, with --test-only, run just that test).
# Servers run with workspace trust off, except for a UI file that holds the line "// vscode-e2e: workspace-trust".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
E="${E2E_DIR:-$ROOT/.e2e/vscode}"   # E2E_DIR: a separate state folder lets two runs share the machine
RESULTS="$ROOT/test-results"
COUNTS="$RESULTS/vscode.counts"
SCREENSHOTS="$RESULTS/screenshots"
mkdir -p "$RESULTS" "$SCREENSHOTS"
rm -f "$COUNTS"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
T0=$(now)
say() { echo "== vscode-e2e: $*"; }
# Setup failed before any test ran: one failure, so the caller never reads "0 failed".
fail_setup() { say "$*"; echo "0 1" > "$COUNTS"; say "0 passed, 1 failed (setup) in $(since "$T0")"; exit 1; }

# shellcheck source=scripts/install-code-server.sh
source "$ROOT/scripts/install-code-server.sh"

T=$(now)
bash scripts/broker.sh || fail_setup "no broker (scripts/broker.sh failed)"
say "broker ready: $(since "$T")"
bash scripts/deps.sh vscode || fail_setup "the VS Code suite needs what scripts/deps.sh names above"

T=$(now)
ensure_code_server || fail_setup "code-server is not installed (scripts/install-code-server.sh failed)"
say "code-server $("$CODE_SERVER_BIN" --version 2>/dev/null | head -1 | cut -d' ' -f1) ready: $(since "$T")"

T=$(now)
if [ ! -f dist/extension.js ]; then npm run build || fail_setup "npm run build failed"; fi
rm -rf out/test/vscode   # tsc never deletes: a removed *.test.ts must not leave its stale .js to run
npm run --silent compile-tests || fail_setup "npm run compile-tests (tsc -p test) failed"
[ -f out/test/vscode/suite/index.js ] || fail_setup "out/test/vscode/suite/index.js is missing after compile-tests"
npm run --silent package || fail_setup "npm run package (vsce) failed"
VSIX="$ROOT/dist/rabbitmq-pool-inspector.vsix"
[ -f "$VSIX" ] || fail_setup "$VSIX is missing after npm run package"
say "tests compiled + .vsix packaged: $(since "$T")"

# Fresh, isolated server state for every run.
T=$(now)
rm -rf "$E"
cs_profile "$E" || fail_setup "cannot create $E"
cs_install_vsix "$E" "$VSIX" > "$E/install.log" 2>&1 || { cat "$E/install.log"; fail_setup "installing the .vsix into code-server failed"; }

# The server running now (the extension-host one, then one per UI test file): stopped on exit whatever happens.
CUR=""
stop() {
  if [ "${KEEP_SERVER:-0}" = 1 ] && [ -n "${CS_PID:-}" ]; then
    say "server left running at $CS_URL: stop it with: kill $CS_PID"
    return
  fi
  if [ -n "$CUR" ] && [ -s "$CUR/server.pid" ]; then
    local t; t=$(now); cs_stop "$CUR"; say "server stopped: $(since "$t")"
  fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ext_pass=0; ext_fail=0
if [ "${TEST_FILES:-}" = none ]; then
  say "extension-host tests skipped (TEST_FILES=none)"
else
  CUR="$E"
  cs_start "$E" "${PORT:-18080}" RMQ_POOLS_EXT_TEST_RESULT="$E/exthost-suite.txt" RMQ_POOLS_TEST_FILES="${TEST_FILES:-}" RMQ_POOLS_TEST_GREP="${TEST_GREP:-}" || fail_setup "code-server did not start"
  say "server up at $CS_URL (pid $CS_PID): $(since "$T")"

  # (a) mocha inside the extension host.
  T=$(now)
  ext_pass=0; ext_fail=1
  node test/vscode/e2e/runExtTests.mjs --url "$CS_URL" --dev "$ROOT" --tests "$ROOT/out/test/vscode/suite/index.js" \
    --folder "$E/ws" --timeout "${EXT_TEST_TIMEOUT_MS:-600000}" --summary "$E/exthost.txt" \
    --screenshot "$SCREENSHOTS/exthost-timeout.png" 2>&1 | tee "$RESULTS/vscode-exthost.log"
  ext_code=${PIPESTATUS[0]}
  if [ -s "$E/exthost.txt" ]; then read -r ext_pass _ ext_fail _ < "$E/exthost.txt"; fi
  if [ "$ext_code" != 0 ] && [ "$ext_fail" = 0 ]; then ext_fail=1; fi
  say "extension-host tests: $ext_pass passed, $ext_fail failed: $(since "$T")"
fi

# (b) Playwright UI tests, one file at a time, each against a fresh server with the packaged .vsix installed.
T=$(now)
ui_pass=0; ui_fail=0
shopt -s nullglob
UI_TESTS=()
for f in test/vscode/ui/*.test.mjs; do
  if [ -z "${UI_FILES:-}" ] || { [ "$UI_FILES" != none ] && [[ "$(basename "$f")" =~ $UI_FILES ]]; }; then UI_TESTS+=("$f"); fi
done
if [ "${UI_FILES:-}" = none ]; then
  say "UI tests skipped (UI_FILES=none)"
elif [ ${#UI_TESTS[@]} = 0 ]; then
  say "no UI tests in test/vscode/ui/ match"; ui_fail=1
else
  # Each UI test file gets a fresh server and profile: a file that fails half-way (a broker left configured, a dialog
  # left open) cannot make the next file fail too.
  [ "${KEEP_SERVER:-0}" = 1 ] || { cs_stop "$E"; CUR=""; }
  : > "$RESULTS/vscode-ui.log"
  ui_code=0; ui_pass=0; ui_fail=0
  tap_count() { grep -Eo "^# $2 [0-9]+" "$1" 2>/dev/null | tail -1 | grep -Eo '[0-9]+$' || echo 0; }
  for f in "${UI_TESTS[@]}"; do
    U="$E/ui-$(basename "$f" .test.mjs)"
    rm -rf "$U"
    # A file with the line "// vscode-e2e: workspace-trust" gets a server with workspace trust on (Restricted Mode reachable).
    trust=0; grep -qx '// vscode-e2e: workspace-trust' "$f" && trust=1
    if ! CS_WORKSPACE_TRUST=$trust cs_profile "$U" || ! cs_install_vsix "$U" "$VSIX" > "$U/install.log" 2>&1; then say "profile for $f failed"; ui_fail=$((ui_fail + 1)); continue; fi
    CUR="$U"
    # RMQ_POOLS_TEST=1: the test-only commands (seed pools, switch theme) that the panel UI test drives from the palette.
    if ! CS_WORKSPACE_TRUST=$trust cs_start "$U" "${PORT:-18080}" RMQ_POOLS_TEST=1; then say "code-server for $f did not start"; ui_fail=$((ui_fail + 1)); CUR=""; continue; fi
    CS_URL="$CS_URL" SCREENSHOT_DIR="$SCREENSHOTS" node --test --test-concurrency=1 --test-timeout=300000 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$U/ui.tap" "$f" 2>&1 | tee -a "$RESULTS/vscode-ui.log"
    code=${PIPESTATUS[0]}
    p=$(tap_count "$U/ui.tap" pass)
    # Cancelled (a failed before() hook, a timeout) and skipped/todo tests are not passes.
    fl=$(( $(tap_count "$U/ui.tap" fail) + $(tap_count "$U/ui.tap" cancelled) + $(tap_count "$U/ui.tap" skipped) + $(tap_count "$U/ui.tap" todo) ))
    if [ "$code" != 0 ] && [ "$fl" = 0 ]; then fl=1; fi
    [ "$code" = 0 ] || ui_code=$code
    ui_pass=$((ui_pass + p)); ui_fail=$((ui_fail + fl))
    cs_stop "$U"; CUR=""
  done
  if [ "$ui_code" != 0 ] && [ "$ui_fail" = 0 ]; then ui_fail=1; fi
  # forbidOnly for the UI files: an .only (test.only, { only: true }) is a failure, whatever node --test makes of it.
  only_files=$(grep -lE '\b(test|it|describe|suite)\.only\(|\bonly: *true\b' "${UI_TESTS[@]}" || true)
  if [ -n "$only_files" ]; then say "an .only in $(echo $only_files): forbidden (it would narrow the run); counted as a failure"; ui_fail=$((ui_fail + 1)); fi
  # Unfiltered: fewer UI tests than test/floors.json's "vscode-ui" is a failure.
  if [ -z "${UI_FILES:-}" ]; then
    ui_floor=$(node -e 'const n = require("./test/floors.json")["vscode-ui"]; if (!Number.isInteger(n)) { process.exit(1); } console.log(n);') || { say "test/floors.json has no \"vscode-ui\" floor: counted as a failure"; ui_floor=0; ui_fail=$((ui_fail + 1)); }
    if [ $((ui_pass + ui_fail)) -lt "$ui_floor" ]; then
      say "only $((ui_pass + ui_fail)) UI tests ran, fewer than the $ui_floor that test/floors.json (\"vscode-ui\") says there are: counted as a failure"
      ui_fail=$((ui_fail + 1))
    fi
  fi
fi
say "UI tests: $ui_pass passed, $ui_fail failed: $(since "$T")"

passed=$((ext_pass + ui_pass)); failed=$((ext_fail + ui_fail))
echo "$passed $failed" > "$COUNTS"
say "screenshots in $SCREENSHOTS/"
say "total $(since "$T0"): $passed passed, $failed failed"
[ "$failed" = 0 ]
