import type { ReportRun } from '../engine/replay.ts';

/** The filters a run was asked with, in words (empty filters left out), for titles. */
export function describeFilters(run: ReportRun, timeAxis: boolean): string {
  const { from, to, revoltId, bucket } = run.filters;
  const parts = [
    from !== undefined ? `from ${from}` : undefined,
    to !== undefined ? `to ${to}` : undefined,
    revoltId !== undefined ? `revolt ${revoltId}` : undefined,
    timeAxis ? `by ${bucket}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? 'all revolts, all time' : parts.join(', ');
}

/** "as of position N (time)": the point in the log a run is the answer for. */
export const describeAsOf = (run: ReportRun): string => `as of position ${run.asOfPosition}${run.asOfTime ? ` (${run.asOfTime})` : ''}`;
