import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { CommandHandler, type CommandContext } from '../../src/commands/handler.ts';
import { RequestIds } from '../../src/commands/request-ids.ts';
import { createEventStore } from '../../src/events/store/index.ts';
import { reservationDecider } from '../../src/commands/reservations/reservation.ts';
import { AppError } from '../../src/commands/errors.ts';
import type { Decider } from '../../src/commands/decider.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { WrongExpectedRevisionError, type EventStore } from '../../src/events/store/port.ts';
import { isolatedEngines } from '../support/engines.ts';

const catalogue = buildEventCatalogue();
const context = { actorId: 'actor-1', correlationId: 'corr-1', causationId: 'cause-1' };
const at = '2026-01-01T00:00:00.000Z';

/** A counter aggregate made of reservation events: each Claim by a new owner appends one event. */
const claim = (ownerId: string) => ({ type: 'Claim' as const, kind: 'k', ownerId, at, takeOverAbandoned: true });

describe('command handler', () => {
  it('appends what decide returns, with correlation, causation, actor, time and schema version', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { catalogue });
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
    const handler = new CommandHandler(store, { catalogue });
    await handler.execute('s-1', reservationDecider, claim('a'), context);
    const again = await handler.execute('s-1', reservationDecider, claim('a'), context);
    expect(again.events).toEqual([]);
    expect(again.position).toBeNull();
    expect(await store.readStream('s-1')).toHaveLength(1);
  });

  it('serialises concurrent commands on one stream in one process', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { catalogue });
    await Promise.all(Array.from({ length: 50 }, (_, i) => handler.execute('s-1', reservationDecider, claim(`o${i}`), context)));
    const events = await store.readStream('s-1');
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('two processes writing one stream retry on conflict, and a stale cache never wins', async () => {
    const store = new MemoryEventStore();
    const a = new CommandHandler(store, { catalogue });
    const b = new CommandHandler(store, { catalogue });
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
    const handler = new CommandHandler(alwaysConflicting, { catalogue, maxRetries: 3 });
    await expect(handler.execute('s-1', reservationDecider, claim('a'), context)).rejects.toMatchObject({ status: 409, code: 'concurrency_conflict' });
  });

  it('a creation that expects no stream fails with a conflict instead of retrying', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { catalogue });
    await handler.execute('s-1', reservationDecider, claim('a'), context);
    const other = new CommandHandler(store, { catalogue });
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
    await expect(new CommandHandler(store, { catalogue }).execute('s-1', rogue, null, context)).rejects.toThrow(/unknown event type/);
    expect(await store.readStream('s-1')).toEqual([]);
  });
});

/** Always appends a claim, whatever the state: a command that a second run would apply twice. */
const appendsEveryTime: Decider<string, { owners: string[] }, { type: 'ValueClaimed'; data: { kind: string; ownerId: string; claimedAt: string } }> = {
  initialState: { owners: [] },
  evolve: (state, event) => ({ owners: [...state.owners, event.data.ownerId] }),
  decide: (ownerId) => [{ type: 'ValueClaimed', data: { kind: 'k', ownerId, claimedAt: at } }],
};

describe('command handler with the ids of an Idempotency-Key', () => {
  const engines = isolatedEngines('handler');
  let postgres: EventStore;
  beforeAll(async () => {
    postgres = await createEventStore(engines.env.EVENTSTORE_URL);
  });
  afterAll(async () => {
    await postgres?.close();
    await engines.drop();
  });

  const startedAt = new Date('2026-01-01T00:00:00Z');
  /** One attempt of a keyed request: a retry after a crash shares the seed and has resumed the key's record. */
  const attempt = (seed: string, resumed: boolean): CommandContext => ({ ...context, ids: new RequestIds(seed, startedAt, resumed) });
  const stream = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

  it('a retry after a crash finds its appends and answers as of them, appending nothing and deciding nothing again', async () => {
    const store = postgres;
    const s = stream('applied');
    const seed = randomBytes(16).toString('hex');
    const first = attempt(seed, false);
    const a1 = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'a', first);
    const a2 = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'b', first);
    // Someone else writes to the stream before the retry comes.
    await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'someone-else', context);
    const head = await store.headPosition();

    const retry = attempt(seed, true);
    const afterCrash = new CommandHandler(store, { catalogue }); // a fresh process: nothing cached
    const r1 = await afterCrash.execute(s, appendsEveryTime, 'a', retry);
    const r2 = await afterCrash.execute(s, appendsEveryTime, 'b', retry);

    expect(await store.headPosition()).toBe(head);
    expect(r1).toMatchObject({ alreadyApplied: true, revision: 0, position: a1.position, state: { owners: ['a'] } });
    expect(r2).toMatchObject({ alreadyApplied: true, revision: 1, position: a2.position, state: { owners: ['a', 'b'] } });
    expect(r1.events.map((e) => e.id)).toEqual(a1.events.map((e) => e.id));
    expect(r2.events.map((e) => e.id)).toEqual(a2.events.map((e) => e.id));
    // A third append of the request, which the first attempt never reached, is applied as usual.
    const r3 = await afterCrash.execute(s, appendsEveryTime, 'c', retry);
    expect(r3.alreadyApplied).toBeUndefined();
    expect((await store.readStream(s)).map((e) => e.data)).toMatchObject([{ ownerId: 'a' }, { ownerId: 'b' }, { ownerId: 'someone-else' }, { ownerId: 'c' }]);
  });

  it('another request, or one without a key, is not mistaken for the earlier one', async () => {
    const store = new MemoryEventStore();
    const s = stream('distinct');
    await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'a', attempt('seed-1', false));
    const other = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'a', attempt('seed-2', true));
    const unkeyed = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'a', context);
    expect([other.alreadyApplied, unkeyed.alreadyApplied]).toEqual([undefined, undefined]);
    expect(await store.readStream(s)).toHaveLength(3);
  });

  for (const expected of [undefined, 'no_stream'] as const) {
    it(`concurrent twins (expecting ${expected ?? 'the loaded revision'}) append once and both answer with that append`, async () => {
      for (let round = 0; round < 5; round++) {
        const s = stream('twins');
        const seed = randomBytes(16).toString('hex');
        // Two processes: the first attempt, and a retry that took its claim over while it was still running.
        const [a, b] = await Promise.all([
          new CommandHandler(postgres, { catalogue }).execute(s, appendsEveryTime, 'x', attempt(seed, false), expected ? { expected } : {}),
          new CommandHandler(postgres, { catalogue }).execute(s, appendsEveryTime, 'x', attempt(seed, true), expected ? { expected } : {}),
        ]);
        expect(await postgres.readStream(s)).toHaveLength(1);
        expect(a.position).toBe(b.position);
        expect(a.events.map((e) => e.id)).toEqual(b.events.map((e) => e.id));
        expect([a, b].filter((result) => result.alreadyApplied)).toHaveLength(1);
      }
    });
  }

  it('a twin that lost the race after deciding is recognised, not refused as a conflict', async () => {
    const store = new MemoryEventStore();
    const s = stream('lost');
    const seed = randomBytes(16).toString('hex');
    const winner = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'x', attempt(seed, true), { expected: 'no_stream' });
    // The first attempt never checks before deciding (its seed is new), so only the append tells it.
    const loser = await new CommandHandler(store, { catalogue }).execute(s, appendsEveryTime, 'x', attempt(seed, false), { expected: 'no_stream' });
    expect(loser).toMatchObject({ alreadyApplied: true, position: winner.position, state: { owners: ['x'] } });
    expect(await store.readStream(s)).toHaveLength(1);
  });
});
