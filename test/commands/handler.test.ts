import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/commands/handler.ts';
import { reservationDecider } from '../../src/commands/reservations/reservation.ts';
import { AppError } from '../../src/commands/errors.ts';
import type { Decider } from '../../src/commands/decider.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { WrongExpectedRevisionError, type EventStore } from '../../src/events/store/port.ts';
import '../../src/events/all.ts';

const context = { actorId: 'actor-1', correlationId: 'corr-1', causationId: 'cause-1' };
const at = '2026-01-01T00:00:00.000Z';

/** A counter aggregate made of reservation events: each Claim by a new owner appends one event. */
const claim = (ownerId: string) => ({ type: 'Claim' as const, kind: 'k', ownerId, at, takeOverAbandoned: true });

describe('command handler', () => {
  it('appends what decide returns, with correlation, causation, actor, time and schema version', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const result = await handler.execute('s-1', reservationDecider, claim('a'), context);
    expect(result.position).toBeGreaterThan(0);
    expect(result.revision).toBe(0);
    const [event] = await store.readStream('s-1');
    expect(event?.metadata).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1', actorId: 'actor-1', schemaVersion: 1 });
    expect(Date.parse(event?.metadata.occurredAt ?? '')).not.toBeNaN();
    expect(event?.position).toBe(result.position);
  });

  it('appends nothing when decide returns nothing', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    await handler.execute('s-1', reservationDecider, claim('a'), context);
    const again = await handler.execute('s-1', reservationDecider, claim('a'), context);
    expect(again.events).toEqual([]);
    expect(again.position).toBeNull();
    expect(await store.readStream('s-1')).toHaveLength(1);
  });

  it('serialises concurrent commands on one stream in one process', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    await Promise.all(Array.from({ length: 50 }, (_, i) => handler.execute('s-1', reservationDecider, claim(`o${i}`), context)));
    const events = await store.readStream('s-1');
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('two processes writing one stream retry on conflict, and a stale cache never wins', async () => {
    const store = new MemoryEventStore();
    const a = new CommandHandler(store);
    const b = new CommandHandler(store);
    await a.execute('s-1', reservationDecider, claim('a0'), context);
    await b.execute('s-1', reservationDecider, claim('b0'), context);
    // a's cache is at revision 0 while the stream is at 1: it must top up, not overwrite.
    const loaded = await a.load('s-1', reservationDecider);
    expect(loaded).toMatchObject({ revision: 1, state: { ownerId: 'b0' } });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).execute('s-1', reservationDecider, claim(`x${i}`), context)),
    );
    expect(await store.readStream('s-1')).toHaveLength(22);
  });

  it('gives up with a 409 after the bounded number of retries', async () => {
    const inner = new MemoryEventStore();
    const alwaysConflicting: EventStore = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async () => {
        throw new WrongExpectedRevisionError('s-1', 0, 5);
      },
      readStream: inner.readStream.bind(inner),
    });
    const handler = new CommandHandler(alwaysConflicting, { maxRetries: 3 });
    await expect(handler.execute('s-1', reservationDecider, claim('a'), context)).rejects.toMatchObject({ status: 409, code: 'concurrency_conflict' });
  });

  it('a creation that expects no stream fails with a conflict instead of retrying', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    await handler.execute('s-1', reservationDecider, claim('a'), context);
    const other = new CommandHandler(store);
    const error = await other.execute('s-1', reservationDecider, claim('b'), context, { expected: 'no_stream' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 409, code: 'already_exists' });
  });

  it('refuses to append an event the catalogue does not know, appending nothing', async () => {
    const store = new MemoryEventStore();
    const rogue: Decider<null, null, { type: string; data: unknown }> = {
      initialState: null,
      evolve: (s) => s,
      decide: () => [{ type: 'NoSuchEvent', data: {} }],
    };
    await expect(new CommandHandler(store).execute('s-1', rogue, null, context)).rejects.toThrow(/unknown event type/);
    expect(await store.readStream('s-1')).toEqual([]);
  });
});
