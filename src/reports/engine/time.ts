import type { RecordedEvent } from '../../events/envelope.ts';
import type { Bucket, ReportFilters } from './accumulator.ts';

/** When an event happened: the time its command recorded (every event carries it). */
export const eventTime = (event: RecordedEvent): string => event.metadata.occurredAt;

/** Whether an ISO time is inside the filters' [from, to) window. */
export function inWindow(at: string, filters: Pick<ReportFilters, 'from' | 'to'>): boolean {
  const ms = Date.parse(at);
  if (filters.from !== undefined && ms < Date.parse(filters.from)) return false;
  if (filters.to !== undefined && ms >= Date.parse(filters.to)) return false;
  return true;
}

const DAY_MS = 86_400_000;

/** The Monday (UTC) of the ISO week of `at`, as YYYY-MM-DD. */
export function weekOf(at: string): string {
  const day = new Date(Date.parse(at.slice(0, 10) + 'T00:00:00Z'));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

/** Whole weeks from one Monday (YYYY-MM-DD) to another. */
export const weeksBetween = (fromMonday: string, toMonday: string): number =>
  Math.round((Date.parse(toMonday + 'T00:00:00Z') - Date.parse(fromMonday + 'T00:00:00Z')) / (7 * DAY_MS));

/** The bucket an ISO time falls in, in UTC: YYYY-MM-DD for a day, the week's Monday for a week, YYYY-MM for a month. */
export function bucketOf(at: string, bucket: Bucket): string {
  if (bucket === 'day') return new Date(Date.parse(at)).toISOString().slice(0, 10);
  if (bucket === 'week') return weekOf(new Date(Date.parse(at)).toISOString());
  return new Date(Date.parse(at)).toISOString().slice(0, 7);
}

/** Rounds a ratio or mean to four decimals, so formats print the same digits everywhere. */
export const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** numerator / denominator, 0 when there is nothing to divide by. */
export const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : round(numerator / denominator));

/** Object keys in code-point order: the stable order of every table keyed by id or bucket. */
export const sortedKeys = (record: object): string[] => Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
