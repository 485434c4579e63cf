import type { RecordedEvent } from '../events/envelope.ts';
import type { EventStore } from '../events/store/port.ts';

/** The store's events after `after` up to `to` (inclusive), a page at a time; ends at the first empty page. */
export async function* readUpTo(store: EventStore, after: number, to: number, pageSize = 500): AsyncGenerator<RecordedEvent[]> {
  while (after < to) {
    const page = (await store.readAll({ after, maxCount: pageSize })).filter((e) => e.position <= to);
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.position;
  }
}
