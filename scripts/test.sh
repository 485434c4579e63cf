#!/usr/bin/env bash
# Typecheck, then every test (extra args go to vitest: bash scripts/test.sh test/foo).
# Ends with one line "tests: N passed, M failed, K skipped"; fails if the typecheck failed,
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

# The real-browser voice test needs Debian's Chromium (installed here when missing; that test fails if it cannot be).
bash scripts/chromium.sh || true

vitest=0
npx --no -- vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || vitest=$?

summary=0
node scripts/test-summary.mjs "$report" || summary=$?
[ "$typecheck" = 0 ] && [ "$vitest" = 0 ] && [ "$summary" = 0 ]
