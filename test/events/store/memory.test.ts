import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { Follower } from '../../../src/events/store/follow.ts';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import { eventStoreContract } from './contract.ts';

eventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('Follower (the catch-up loop behind the memory and postgres subscriptions)', () => {
  const event = (position: number) => ({ position }) as RecordedEvent;

  it('reads again when woken while a read that found nothing was in flight', async () => {
    const log: RecordedEvent[] = [];
    const reads: Array<() => void> = [];
    const delivered: number[] = [];
    const follower = new Follower(
      (after) =>
        new Promise((resolve) => {
          const snapshot = log.filter((e) => e.position > after);
          reads.push(() => resolve(snapshot));
        }),
      { after: 0, onEvents: async (events) => void delivered.push(...events.map((e) => e.position)) },
    );

    follower.wake();
    expect(reads).toHaveLength(1);
    log.push(event(1));
    follower.wake(); // arrives after the first read took its snapshot
    reads.shift()!(); // that read finds nothing
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(1);
    reads.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual([1]);
    reads.shift()!(); // the read that finds the log drained
    await follower.close();
  });

  it('reports a failing handler and retries the same batch at the next wake', async () => {
    const errors: unknown[] = [];
    const batches: number[][] = [];
    let fail = true;
    const follower = new Follower(async (after) => [event(1), event(2)].filter((e) => e.position > after), {
      after: 0,
      onEvents: async (events) => {
        batches.push(events.map((e) => e.position));
        if (fail) throw new Error('handler failed');
      },
      onError: (error) => errors.push(error),
    });

    follower.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    expect(batches).toHaveLength(1);

    fail = false;
    follower.wake();
    await new Promise((resolve) => setImmediate(resolve));
    await follower.close();

    expect(errors).toHaveLength(1);
    expect(batches).toEqual([[1, 2], [1, 2]]);
  });
});
