// Reads vitest's JSON report and prints, as the very last line, "tests: N passed, M failed, K skipped".
// A test file that failed without a failed test (import error, failing hook) counts as one failure.
// Exit 1 if anything failed or nothing ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.stack/vitest-report.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`no vitest report at ${file} (${err.code ?? err.message}): vitest did not run to the end`);
  console.log('tests: 0 passed, 0 failed, 0 skipped');
  process.exit(1);
}
const files = report.testResults ?? [];
const brokenFiles = files.filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
);
for (const f of brokenFiles) console.log(`failed file: ${f.name}: ${(f.message ?? '').split('\n')[0]}`);
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + brokenFiles.length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (passed + failed === 0) console.log('no tests ran');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed + failed === 0 ? 1 : 0);
