import type { Cell, Column, Table } from '../engine/accumulator.ts';
import type { ReportRun } from '../engine/replay.ts';
import { chartSvg } from './charts.ts';
import { describeAsOf, describeFilters } from './describe.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function cell(value: Cell, column: Column): string {
  if (value === null) return '<td></td>';
  const numeric = typeof value === 'number';
  return `<td${numeric ? ' class="n"' : ''}>${escapeHtml(String(value))}</td>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#555}figure{margin:16px 0}`;

function* tableHtml(table: Table): Generator<string> {
  yield `<h2>${escapeHtml(table.title)}</h2>\n<table id="table-${escapeHtml(table.name)}"><thead><tr>${table.columns.map((c) => `<th>${escapeHtml(c.label)}${c.kind === 'cents' ? ' (minor units)' : ''}</th>`).join('')}</tr></thead><tbody>\n`;
  for (const row of table.rows) yield `<tr>${table.columns.map((c) => cell(row[c.key] ?? null, c)).join('')}</tr>\n`;
  yield '</tbody></table>\n';
}

/**
 * The report as one self-contained HTML page: its title names the report, the filters and the as-of position;
 * charts are inline SVG rendered on the server; no script, stylesheet or font is fetched. Written a row at a time.
 */
export function* reportHtml(run: ReportRun, timeAxis: boolean): Generator<string> {
  const title = `${run.title} — ${describeFilters(run, timeAxis)} — ${describeAsOf(run)}`;
  yield `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n`;
  yield `<h1>${escapeHtml(run.title)}</h1>\n<p class="meta">${escapeHtml(describeFilters(run, timeAxis))}; ${escapeHtml(describeAsOf(run))}</p>\n`;
  for (const [index, chart] of run.body.charts.entries()) {
    const table = run.body.tables.find((t) => t.name === chart.table);
    if (table && table.rows.length > 0) yield `<figure class="chart" data-table="${escapeHtml(chart.table)}">${chartSvg(chart, table, index)}</figure>\n`;
  }
  for (const table of run.body.tables) yield* tableHtml(table);
  yield '</body></html>\n';
}
