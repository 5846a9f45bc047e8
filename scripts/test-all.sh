#!/usr/bin/env bash
# npm test: build, then the unit, broker and VS Code suites; ends with "N passed, N failed" over all of them.
# Each suite's counts are read from its own output (mocha's "N passing/failing/pending", the VS Code runner's counts file).
# It runs everything whatever the environment: the development filters (TEST_FILES, UI_FILES, TEST_GREP, FUZZ_RUNS) are
# unset here; narrow a development run with them through `npm run test:vscode` or `npm run test:unit` instead. Every mocha config has forbidOnly.
# A suite that ran fewer tests than test/floors.json says it has counts one failure (a lost file, a filter, an .only).
set -uo pipefail
cd "$(dirname "$0")/.."
for v in TEST_FILES UI_FILES TEST_GREP FUZZ_RUNS RMQ_POOLS_TEST_FILES RMQ_POOLS_TEST_GREP; do
  if [ -n "${!v+x}" ]; then echo "npm test: ignoring $v=${!v} (filters are for development runs: npm run test:vscode or test:unit with it set)"; unset "$v"; fi
done
mkdir -p test-results
declare -A PASS FAIL
SUITES=()
total_pass=0; total_fail=0; rc=0

record() { # suite passed failed
  SUITES+=("$1"); PASS[$1]=$2; FAIL[$1]=$3
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
}

# The minimum number of tests a suite must run (test/floors.json); raise it when tests are added.
floor_of() { node -e 'const n = require("./test/floors.json")[process.argv[1]]; if (!Number.isInteger(n)) { process.exit(1); } console.log(n);' "$1"; }

check_floor() { # suite passed failed: fewer tests than the floor is a failure, with a line that says so
  local min ran=$(( $2 + $3 ))
  if ! min=$(floor_of "$1"); then
    echo "=== $1: no floor in test/floors.json: counted as a failure"; record "$1-floor" 0 1; rc=1; return
  fi
  if [ "$ran" -lt "$min" ]; then
    echo "=== $1: only $ran tests ran, fewer than the $min that test/floors.json says it has (a file not loaded, a filter, an .only?): counted as a failure"
    record "$1-floor" 0 1; rc=1
  fi
}

mocha_suite() { # name config
  local name=$1 log="test-results/$1.log" code
  echo "=== $name tests"
  npx mocha --config "$2" 2>&1 | tee "$log"; code=${PIPESTATUS[0]}
  local p f s
  p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  s=$(grep -Eo '^ *[0-9]+ pending' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  # A pending (skipped) test is not a pass; a suite that crashed before counting is a failure.
  if [ "$code" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  record "$name" "$p" "$((f + s))"
  [ "$code" = 0 ] && [ "$s" = 0 ] || rc=1
  check_floor "$name" "$p" "$((f + s))"
}

# Extra RabbitMQ nodes that suites start (the 3-node cluster, the scratch node for faults and TLS) are stopped when this script ends, also on failure.
trap 'bash scripts/cluster.sh down >/dev/null 2>&1; bash scripts/scratch-node.sh down >/dev/null 2>&1' EXIT

echo "=== build"
if ! npm run build; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

mocha_suite unit test/.mocharc.unit.json

echo "=== broker"
if bash scripts/broker.sh; then
  bash scripts/deps.sh tls || { record tls-deps 0 1; rc=1; }   # the TLS tests then fail with their own message too
  mocha_suite broker test/.mocharc.broker.json
else
  record broker 0 1; rc=1
fi

echo "=== oslo interop tests (the real oslo.messaging client against the broker)"
if bash scripts/deps.sh oslo && bash scripts/broker.sh; then
  mocha_suite oslo test/.mocharc.oslo.json
else
  record oslo 0 1; rc=1
fi

echo "=== vscode tests (code-server + chromium)"
rm -f test-results/vscode.counts
bash scripts/vscode-e2e.sh; code=$?
if [ -s test-results/vscode.counts ]; then read -r p f < test-results/vscode.counts; else p=0; f=1; fi
if [ "$code" != 0 ] && [ "$f" = 0 ]; then f=1; fi
record vscode "$p" "$f"; [ "$code" = 0 ] || rc=1
check_floor vscode "$p" "$f"

echo "=== cluster tests (3 extra nodes beside the main broker)"
if bash scripts/deps.sh cluster; then
  # From fresh data: nodes killed with kill -9 in a previous run can leave RabbitMQ 3.10's feature-flag state so that a
  # node refuses to boot (incompatible_feature_flags); a cluster formed anew does not.
  bash scripts/cluster.sh down purge >/dev/null 2>&1 || true
  mocha_suite cluster test/.mocharc.cluster.json
else
  record cluster 0 1; rc=1
fi

echo
echo "=== summary"
for s in "${SUITES[@]}"; do printf '  %-14s %4d passed, %d failed\n' "$s" "${PASS[$s]}" "${FAIL[$s]}"; done
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" = 0 ] || rc=1
exit $rc
