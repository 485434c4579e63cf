import type { ReportRun } from '../engine/replay.ts';
import { csvTable, tableCsv } from './csv.ts';
import { reportHtml } from './html.ts';
import { reportJson } from './json.ts';

export const FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  html: 'text/html; charset=utf-8',
};

/** The run written in a format, as chunks (the HTTP route and the CLI both stream them). `table`: the CSV's table. */
export function renderReport(run: ReportRun, format: ReportFormat, options: { timeAxis: boolean; table?: string }): Generator<string> {
  if (format === 'json') return reportJson(run);
  if (format === 'html') return reportHtml(run, options.timeAxis);
  const table = csvTable(run, options.table);
  if (!table) throw new Error(`report ${run.report} has no table ${options.table}`);
  return tableCsv(table);
}
