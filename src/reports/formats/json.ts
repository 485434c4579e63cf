import type { ReportRun } from '../engine/replay.ts';

/**
 * The report as one JSON document, written piece by piece (a row at a time) so a large report is never one string:
 * `{report, title, filters, asOf: {position, time}, tables: [{name, title, columns, rows}], charts}`. Keys are
 * written in a fixed order, so the same run gives the same bytes.
 */
export function* reportJson(run: ReportRun): Generator<string> {
  const { from, to, revoltId, bucket } = run.filters;
  const filters = { from: from ?? null, to: to ?? null, revoltId: revoltId ?? null, bucket };
  yield `{"report":${JSON.stringify(run.report)},"title":${JSON.stringify(run.title)},"filters":${JSON.stringify(filters)},"asOf":${JSON.stringify({ position: run.asOfPosition, time: run.asOfTime })},"tables":[`;
  for (const [t, table] of run.body.tables.entries()) {
    yield `${t === 0 ? '' : ','}{"name":${JSON.stringify(table.name)},"title":${JSON.stringify(table.title)},"columns":${JSON.stringify(table.columns)},"rows":[`;
    for (const [r, row] of table.rows.entries()) {
      yield (r === 0 ? '\n' : ',\n') + JSON.stringify(Object.fromEntries(table.columns.map((c) => [c.key, row[c.key] ?? null])));
    }
    yield ']}';
  }
  yield `],"charts":${JSON.stringify(run.body.charts)}}\n`;
}
