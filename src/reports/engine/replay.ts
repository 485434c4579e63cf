import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/store/port.ts';
import type { AnyAccumulator, ReportBody, ReportFilters } from './accumulator.ts';
import { snapshotKey, type SnapshotStore } from './snapshots.ts';

export interface ReplaySource {
  store: EventStore;
  /** Brings an event to its type's current schema version (the event catalogue's upcast). */
  upcast(event: RecordedEvent): RecordedEvent;
  /** Where states part-way are kept; without it every replay starts from the first event. */
  snapshots?: SnapshotStore;
}

export interface ReplayOptions {
  /** Events read per page. */
  batchSize?: number;
  /** Keep a snapshot each time this many positions have been replayed since the last one. */
  snapshotEvery?: number;
  /** Called after each page: how far the replay is. */
  onProgress?(position: number, upTo: number): void;
}

/** A report's answer: its body, and what it was computed from. */
export interface ReportRun {
  report: string;
  title: string;
  filters: ReportFilters;
  /** The answer is what the log said up to and including this position... */
  asOfPosition: number;
  /** ...whose last event happened at this time (null for an empty log). */
  asOfTime: string | null;
  /** Where the replay started (a snapshot's position, or 0) and how many events it read. */
  replay: { fromPosition: number; events: number };
  body: ReportBody;
}

export const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_SNAPSHOT_EVERY = 100_000;

/**
 * Folds the log up to `asOfPosition` through the accumulator, from the newest snapshot at or before it (the
 * snapshot's events are not read again). The next page is read while the current one is folded.
 */
export async function runReport(source: ReplaySource, accumulator: AnyAccumulator, filters: ReportFilters, asOfPosition: number, options: ReplayOptions = {}): Promise<ReportRun> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  const key = snapshotKey(accumulator, filters);
  const snapshot = (await source.snapshots?.latest(key, asOfPosition)) ?? null;
  let state: unknown = snapshot ? snapshot.state : accumulator.init(filters);
  let position = snapshot?.position ?? 0;
  let at = snapshot?.at ?? null;
  let lastSnapshot = position;
  let events = 0;
  const readPage = (after: number) => (after >= asOfPosition ? Promise.resolve([]) : source.store.readAll({ after, maxCount: Math.min(batchSize, asOfPosition - after) }));
  let page = await readPage(position);
  while (page.length > 0) {
    const last = page[page.length - 1]!.position;
    const next = last < asOfPosition ? readPage(last) : Promise.resolve([]);
    for (const recorded of page) {
      if (recorded.position > asOfPosition) break;
      state = accumulator.step(state, source.upcast(recorded), filters);
      position = recorded.position;
      at = recorded.metadata.occurredAt;
      events += 1;
    }
    if (source.snapshots && position - lastSnapshot >= snapshotEvery) {
      await source.snapshots.save(key, { position, at, state });
      lastSnapshot = position;
    }
    options.onProgress?.(position, asOfPosition);
    page = await next;
  }
  return {
    report: accumulator.name,
    title: accumulator.title,
    filters,
    asOfPosition,
    asOfTime: at,
    replay: { fromPosition: snapshot?.position ?? 0, events },
    body: accumulator.result(state, filters),
  };
}
