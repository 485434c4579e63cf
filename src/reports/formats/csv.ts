import type { Cell, Column, Table } from '../engine/accumulator.ts';
import type { ReportRun } from '../engine/replay.ts';

/** Text a spreadsheet would run as a formula: written with a leading apostrophe (OWASP's CSV injection advice). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV field of text (RFC 4180): quoted when it holds a comma, quote or line break; a would-be formula defused when asked. */
export function csvText(text: string, defuseFormula: boolean): string {
  const safe = defuseFormula && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function field(value: Cell, column: Column): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : csvText(value, column.kind === 'text');
}

/** The table a CSV holds: the one named, or the report's first. */
export function csvTable(run: ReportRun, name: string | undefined): Table | undefined {
  return name === undefined ? run.body.tables[0] : run.body.tables.find((t) => t.name === name);
}

/**
 * One table as RFC 4180 CSV, a row at a time: a header row of the column keys, CRLF line ends, fields quoted when
 * they hold a comma, quote or line break. Dates are ISO 8601 as recorded; amounts are integer minor units beside a
 * `currency` column.
 */
export function* tableCsv(table: Table): Generator<string> {
  yield table.columns.map((c) => csvText(c.key, false)).join(',') + '\r\n';
  for (const row of table.rows) yield table.columns.map((c) => field(row[c.key] ?? null, c)).join(',') + '\r\n';
}
