import type { EventStore } from '../../events/store/port.ts';

/** An as-of given as an event position (digits) or an ISO time. */
export type AsOf = { position: number } | { time: string };

export function parseAsOf(text: string): AsOf {
  if (/^\d+$/.test(text)) return { position: Number(text) };
  if (Number.isNaN(Date.parse(text))) throw new Error(`as-of must be an event position or an ISO time: ${text}`);
  return { time: new Date(Date.parse(text)).toISOString() };
}

/**
 * The position a report is computed as of: the head when none is asked for; a position beyond the head is the head
 * (nothing after it exists yet); a time is the last event recorded at or before it (0 when none), found by a binary
 * search over positions (the log's times rise with its positions: each command stamps its events as it appends).
 */
export async function resolveAsOf(store: EventStore, asOf: AsOf | undefined): Promise<number> {
  const head = await store.headPosition();
  if (asOf === undefined) return head;
  if ('position' in asOf) return Math.min(asOf.position, head);
  const limit = Date.parse(asOf.time);
  // The first event at a position ≥ p, and whether it happened after the time asked.
  const firstFrom = async (p: number) => (await store.readAll({ after: p - 1, maxCount: 1 }))[0];
  let low = 0; // known: at or before the time (0 stands for "before the first event")
  let high = head + 1; // known: after the time (or beyond the log)
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const event = await firstFrom(mid);
    if (!event) high = mid;
    else if (Date.parse(event.metadata.occurredAt) <= limit) low = event.position;
    else high = Math.min(mid, event.position);
  }
  return low;
}
