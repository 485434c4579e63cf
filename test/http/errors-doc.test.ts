import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/commands/errors.ts';

const DOC = new URL('../../docs/api-errors.md', import.meta.url);

/** docs/api-errors.md as the catalogue says it should read. */
function render(): string {
  const rows = Object.entries(ERROR_CATALOGUE)
    .sort(([, a], [, b]) => a.status - b.status)
    .map(([code, { status, description }]) => `| ${status} | \`${code}\` | ${description} |`);
  return [
    '# API errors',
    '',
    'Every error is answered as `{ "error": { "code": "…", "message": "…", "details": … } }` (`details` only where it',
    'helps: the path of each invalid field, the permissions missing, a limit). Each code has exactly one status. The',
    'catalogue is `src/commands/errors.ts`; this file is generated from it and checked by `test/http/errors-doc.test.ts`',
    '(run it with `UPDATE_DOCS=1` to rewrite this file after changing the catalogue).',
    '',
    '| status | code | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

it('docs/api-errors.md lists the error catalogue as it is', () => {
  if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, render());
  expect(readFileSync(DOC, 'utf8')).toBe(render());
});
