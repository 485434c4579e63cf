import type { RecordedEvent } from '../../events/envelope.ts';

export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** What every report is asked with (the as-of position is the replay's, not a filter: see replay.ts). */
export interface ReportFilters {
  /** Inclusive ISO time: activity (messages, donations, joins, voice) recorded before it is not counted. */
  from?: string;
  /** Exclusive ISO time: activity recorded at or after it is not counted. */
  to?: string;
  /** Only what concerns this revolt. */
  revoltId?: string;
  /** The width of a time axis' steps (reports without a time axis ignore it). */
  bucket: Bucket;
}

/** A column of a report table: how formats write its values (`cents` are integer minor units of the row's `currency`). */
export interface Column {
  key: string;
  label: string;
  kind: 'text' | 'integer' | 'number' | 'date' | 'cents';
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface Table {
  name: string;
  title: string;
  columns: Column[];
  rows: Row[];
}

/**
 * A chart of one table: `x` is a column, each series another (numeric) column; with `splitBy`, one series per
 * value of that column (of the first series' column), for tables in long form (a row per period and currency).
 */
export interface Chart {
  title: string;
  table: string;
  kind: 'bar' | 'line';
  x: string;
  series: string[];
  splitBy?: string;
}

/** What an accumulator's result is: tables (rows in a stable order) and the charts drawn from them. */
export interface ReportBody {
  tables: Table[];
  charts: Chart[];
}

/**
 * A report as a fold over the event log. `step` is pure apart from the state it is given, which it may update in
 * place and returns (a replay of a million events cannot copy its state at every step); it reads nothing but the
 * event, so the same events always give the same state. State is plain JSON (objects, arrays, numbers, strings):
 * snapshots store it as is. `version` changes whenever the state's shape or meaning does, so older snapshots are
 * never resumed.
 */
export interface Accumulator<State> {
  name: string;
  title: string;
  description: string;
  /** Whether the report has a time axis (and so uses `bucket`). */
  timeAxis: boolean;
  version: number;
  init(filters: ReportFilters): State;
  step(state: State, event: RecordedEvent, filters: ReportFilters): State;
  result(state: State, filters: ReportFilters): ReportBody;
}

/** An accumulator of any state: what the engine, the catalogue and the formats handle (each report knows its own). */
export type AnyAccumulator = Accumulator<any>;
