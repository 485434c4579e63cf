import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/store/port.ts';
import { inWindow } from '../engine/time.ts';
import { exportedData } from './allow-list.ts';

export interface ExportFilters {
  from?: string;
  to?: string;
  /** Only these types (all exportable types when absent). */
  types?: readonly string[];
}

/** An event as exported: where it is in the log, what and when, and its allowed data. */
export interface ExportedEvent {
  position: number;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * The log's exportable events in the window, in position order, read page by page up to the head as it was when
 * the export began. Upcast first, so every event is in its type's current shape.
 */
export async function* exportEvents(store: EventStore, upcast: (event: RecordedEvent) => RecordedEvent, filters: ExportFilters, batchSize = 5_000): AsyncGenerator<ExportedEvent> {
  const head = await store.headPosition();
  const types = filters.types ? new Set(filters.types) : undefined;
  let after = 0;
  while (after < head) {
    const page = await store.readAll({ after, maxCount: Math.min(batchSize, head - after) });
    if (page.length === 0) return;
    for (const recorded of page) {
      if (recorded.position > head) return;
      if (types && !types.has(recorded.type)) continue;
      if (!inWindow(recorded.metadata.occurredAt, filters)) continue;
      const event = upcast(recorded);
      const data = exportedData(event.type, event.data);
      if (data) yield { position: event.position, type: event.type, occurredAt: event.metadata.occurredAt, data };
    }
    after = page[page.length - 1]!.position;
  }
}

/** One event as a line of newline-delimited JSON. */
export const ndjsonLine = (event: ExportedEvent) => JSON.stringify(event) + '\n';
