import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { appendEvents } from '../projections/engine/helpers.ts';
import { eachWithMemoryStore } from '../support/each-test.ts';
import { reactorEnv, tallies, tallyReactor, tallyStream } from './support.ts';

const pastMinJobInterval = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Three messages in a channel and an event the reactor does not handle; returns the head. */
async function sendMessages(store: MemoryEventStore): Promise<number> {
  await appendEvents(store, 'channel-a', 2, 'MessageSent');
  await appendEvents(store, 'revolt-r', 1, 'RevoltRenamed');
  return appendEvents(store, 'channel-b', 1, 'MessageSent');
}

async function messageIds(store: MemoryEventStore): Promise<string[]> {
  return (await store.readAll({ after: 0, maxCount: 1000 })).filter((event) => event.type === 'MessageSent').map((event) => event.id);
}

describe('a reactor issues each command once', () => {
  const t = eachWithMemoryStore(reactorEnv);

  it('answers each event it handles with its command, caused by the event, from the head of the log when first registered', async () => {
    await appendEvents(t.store, 'channel-a', 2, 'MessageSent'); // before the reactor existed: not its business
    const reactor = tallyReactor();
    const engine = t.env.reactorEngine({ store: t.store, reactors: [reactor] });
    await engine.start();
    const before = await t.store.headPosition();
    const head = await sendMessages(t.store);
    expect(await engine.waitForPosition('tally', head, 5_000)).toBe(true);

    const sent = (await t.store.readAll({ after: before, maxCount: 100 })).filter((event) => event.type === 'MessageSent');
    const tallied = await tallies(t.store);
    expect(tallied.map((event) => [event.streamId, event.data])).toEqual(sent.map((event) => [tallyStream(event.streamId), { of: event.id }]));
    for (const [i, event] of tallied.entries()) {
      expect(event.metadata).toMatchObject({ causationId: sent[i]!.id, correlationId: sent[i]!.metadata.correlationId, actorId: 'reactor:tally' });
    }
    expect(reactor.issued).toEqual([false, false, false]);
  });

  it('redelivery: the same batch applied again, or by two workers at once, issues nothing more', async () => {
    const reactor = tallyReactor();
    const engine = t.env.reactorEngine({ store: t.store, reactors: [reactor] });
    await engine.start({ runWorkers: false, runFeeder: false });
    const head = await sendMessages(t.store);
    const batch = { after: 0, last: head, events: await t.store.readAll({ after: 0, maxCount: 100 }) };
    const lane = engine.lane('tally');
    await engine.checkpoints.set('tally', 0, 'running');

    await lane.process({ id: 'first', data: batch });
    await engine.checkpoints.set('tally', 0, 'running'); // as if the checkpoint had not been written
    await lane.process({ id: 'again', data: batch });
    // Twins in two processes (their own command handlers, caches and queues), both before the checkpoint moves.
    const twin = t.env.reactorEngine({ store: t.store, reactors: [tallyReactor()] });
    await engine.checkpoints.set('tally', 0, 'running');
    await pastMinJobInterval(); // or this lane would wait its 20 ms and find the twin's checkpoint already moved
    await Promise.all([lane.process({ id: 'one', data: batch }), twin.lane('tally').process({ id: 'other', data: batch })]);

    expect((await tallies(t.store)).map((event) => event.data)).toEqual((await messageIds(t.store)).map((of) => ({ of })));
    expect(await t.store.headPosition()).toBe(head + 3);
    expect(reactor.issued).toEqual([false, false, false, true, true, true, true, true, true]);
  });

  it('replay: from checkpoint 0, or by a rebuild, issues nothing more', async () => {
    const engine = t.env.reactorEngine({ store: t.store, reactors: [tallyReactor()] });
    await engine.start();
    const head = await sendMessages(t.store);
    expect(await engine.waitForPosition('tally', head, 5_000)).toBe(true);
    const after = await t.store.headPosition();
    expect(after).toBe(head + 3);

    await engine.checkpoints.set('tally', 0, 'running');
    await engine.lane('tally').enqueueCatchUp();
    expect(await engine.waitForPosition('tally', after, 5_000)).toBe(true);
    const rebuilt = await engine.rebuild('tally');
    expect(rebuilt).toMatchObject({ position: after, events: after });

    expect(await t.store.headPosition()).toBe(after);
    expect((await tallies(t.store)).map((event) => event.data)).toEqual((await messageIds(t.store)).map((of) => ({ of })));
  });

  it('a failure after the command was appended, before the checkpoint: the retried job issues nothing more', async () => {
    const reactor = tallyReactor();
    const engine = t.env.reactorEngine({ store: t.store, reactors: [reactor] });
    await engine.start();
    // Mongo drops the connection as the lane writes its checkpoint: the job is retried with its events.
    const advance = engine.checkpoints.advance.bind(engine.checkpoints);
    let dropped = 0;
    engine.checkpoints.advance = async (name, position) => {
      if (dropped++ === 0) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
      return advance(name, position);
    };
    const head = await sendMessages(t.store);
    expect(await engine.waitForPosition('tally', head, 5_000)).toBe(true);
    expect(dropped).toBeGreaterThan(1);
    expect(reactor.issued.filter((again) => !again)).toHaveLength(3);
    expect(reactor.issued.length).toBeGreaterThan(3);
    expect((await tallies(t.store)).map((event) => event.data)).toEqual((await messageIds(t.store)).map((of) => ({ of })));
  });

  it('a reactor failing after its append stops its lane before the event; resumed, it issues nothing more', async () => {
    const reactor = tallyReactor();
    let failures = 1;
    reactor.afterAppend = async () => {
      if (failures-- > 0) throw new Error('bug after the command');
    };
    const engine = t.env.reactorEngine({ store: t.store, reactors: [reactor] });
    await engine.start();
    const head = await sendMessages(t.store);
    await expect.poll(async () => (await engine.status())[0]?.status, { timeout: 5_000 }).toBe('stopped');
    expect(await engine.checkpoint('tally')).toBeLessThan(head);
    expect(await tallies(t.store)).toHaveLength(1);

    await engine.resume('tally');
    expect(await engine.waitForPosition('tally', head, 5_000)).toBe(true);
    expect(reactor.issued).toEqual([false, true, false, false]);
    expect((await tallies(t.store)).map((event) => event.data)).toEqual((await messageIds(t.store)).map((of) => ({ of })));
  });
});
