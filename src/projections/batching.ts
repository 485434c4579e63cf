import type { RecordedEvent } from '../events/envelope.ts';

/**
 * Walks events in order, handing maximal runs of consecutive `hot` events to `applyRun` and every other event
 * to `applyOne`: hot events (messages) can then be coalesced without reordering them around the rest.
 */
export async function inRuns<E extends RecordedEvent>(
  events: readonly RecordedEvent[],
  isHot: (event: RecordedEvent) => event is E,
  applyOne: (event: RecordedEvent) => Promise<void>,
  applyRun: (run: E[]) => Promise<void>,
): Promise<void> {
  let run: E[] = [];
  for (const event of events) {
    if (isHot(event)) {
      run.push(event);
      continue;
    }
    if (run.length > 0) await applyRun(run);
    run = [];
    await applyOne(event);
  }
  if (run.length > 0) await applyRun(run);
}

/** Groups items by key, keeping each group in input order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
