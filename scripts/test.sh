#!/usr/bin/env bash
# Typecheck, the dependency rules, then every test (extra args go to vitest: bash scripts/test.sh test/foo).
# Ends with one line "tests: N passed, M failed, K skipped"; fails if the typecheck or the dependency rules failed,
# any test (or test file) failed, or no test ran. Expects the engines up (npm test runs stack.sh up first).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .stack
report=.stack/vitest-report.json
rm -f "$report"

typecheck=0
echo "typecheck: tsc --noEmit"
npx --no -- tsc --noEmit || typecheck=$?
[ "$typecheck" = 0 ] && echo "typecheck: ok" || echo "typecheck: FAILED"

# The layer rules of src/ (.dependency-cruiser.cjs): no cycles, no import from a lower layer to a higher one.
deps=0
echo "deps: depcruise"
npm run --silent deps || deps=$?
[ "$deps" = 0 ] && echo "deps: ok" || echo "deps: FAILED"

# The real-browser voice test needs Debian's Chromium (installed here when missing; that test fails if it cannot be).
bash scripts/chromium.sh || true

vitest=0
npx --no -- vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || vitest=$?

# The supported runtime beside this one (README, "Supported runtimes"): the deciders, the stores and the deployment
# checks again on Node 24 LTS (the whole suite but the gateway: `npm run test:node24`). Skipped for a targeted run.
node24=0
if [ $# = 0 ]; then
  echo "node24: deciders, event stores, start-up and deployment tests on Node 24"
  bash scripts/node24.sh test test/commands test/events test/startup test/deploy --reporter=dot >.stack/node24-tests.log 2>&1 || node24=$?
  [ "$node24" = 0 ] && echo "node24: ok ($(grep -E '^ +Tests ' .stack/node24-tests.log | tr -s ' '))" || { tail -n 30 .stack/node24-tests.log; echo "node24: FAILED (.stack/node24-tests.log)"; }
fi

summary=0
node scripts/test-summary.mjs "$report" || summary=$?
[ "$typecheck" = 0 ] && [ "$deps" = 0 ] && [ "$vitest" = 0 ] && [ "$node24" = 0 ] && [ "$summary" = 0 ]
