import { z } from 'zod';
import { idSchema } from '../events/ids.ts';
import { BUCKETS, type AnyAccumulator, type ReportFilters } from './engine/accumulator.ts';
import { parseAsOf, resolveAsOf } from './engine/as-of.ts';
import { runReport, type ReplayOptions, type ReplaySource, type ReportRun } from './engine/replay.ts';
import { FORMATS } from './formats/index.ts';
import { isoDateTime, isoTime } from './shared/iso-time.ts';

/** What a report is asked with, from the HTTP query or the CLI's options (the one validation of both). */
export const reportQuerySchema = z.strictObject({
  format: z.enum(FORMATS).default('json'),
  from: isoTime.optional(),
  to: isoTime.optional(),
  revoltId: idSchema.optional(),
  bucket: z.enum(BUCKETS).default('day'),
  asOf: z
    .union([z.string().regex(/^\d{1,15}$/), isoDateTime])
    .optional()
    .describe('an event position (the answer covers every event up to it) or an ISO time (the last event recorded at or before it); the head by default'),
  table: z.string().regex(/^[A-Za-z]{1,40}$/).optional().describe("csv: the report's table to write (its first by default)"),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export const filtersOf = (query: ReportQuery): ReportFilters => ({
  ...(query.from !== undefined && { from: query.from }),
  ...(query.to !== undefined && { to: query.to }),
  ...(query.revoltId !== undefined && { revoltId: query.revoltId }),
  bucket: query.bucket,
});

/** Runs a report as asked: resolves the as-of to a position, then replays (from a snapshot when one fits). */
export async function computeReport(source: ReplaySource, accumulator: AnyAccumulator, query: ReportQuery, options: ReplayOptions = {}): Promise<ReportRun> {
  const position = await resolveAsOf(source.store, query.asOf === undefined ? undefined : parseAsOf(query.asOf));
  return runReport(source, accumulator, filtersOf(query), position, options);
}

/** Whether the CSV table asked for exists in the report (a report's tables are fixed by its accumulator). */
export const hasTable = (run: ReportRun, table: string | undefined) => table === undefined || run.body.tables.some((t) => t.name === table);
