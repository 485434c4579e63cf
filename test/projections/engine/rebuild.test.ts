import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import type { EventStore } from '../../../src/events/store/port.ts';
import { RebuildInProgressError } from '../../../src/projections/engine/rebuild.ts';
import { appendEvents, appliedPositions, counterModel, range, testEnv, type CounterDoc, type TestEnv } from './helpers.ts';

describe('projection engine: rebuild', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('rebuilds a corrupted read model from position 0 into a fresh, indexed collection and swaps it in', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();
    for (const stream of ['a', 'b', 'c', 'd']) await appendEvents(store, stream, 30);
    expect(await engine.waitForPosition('counters', 120, 10_000)).toBe(true);
    const counters = env.db.collection<CounterDoc>('counters');
    const before = await counters.find().sort({ _id: 1 }).toArray();
    expect(before).toHaveLength(4);

    // Corrupt the live read model.
    await counters.deleteMany({ _id: { $in: ['a', 'c'] } });
    await counters.updateOne({ _id: 'b' }, { $set: { count: -1 } });
    expect(await counters.countDocuments()).toBe(2);

    const result = await engine.rebuild('counters');
    expect(result).toMatchObject({ readModel: 'counters', position: 120, events: 120 });
    expect(await counters.find().sort({ _id: 1 }).toArray()).toEqual(before);
    const status = (await engine.status())[0]!;
    expect(status).toMatchObject({ status: 'running', checkpoint: 120, head: 120, lag: 0 });
    const indexes = await counters.indexes();
    expect(indexes.map((index) => index.name).sort()).toEqual(['_id_', 'count_desc']);
    const names = (await env.db.listCollections().toArray()).map((c) => c.name);
    expect(names).not.toContain('counters__rebuild');

    // The lane was resumed: later events are applied on the swapped-in collection.
    await appendEvents(store, 'e', 5);
    expect(await engine.waitForPosition('counters', 125, 5_000)).toBe(true);
    expect(await appliedPositions(env.db)).toEqual(range(1, 125));
  });

  it('a rebuild whose handler fails leaves the live collection and lane as they were', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();
    await appendEvents(store, 'a', 10);
    expect(await engine.waitForPosition('counters', 10, 5_000)).toBe(true);

    model.failAt = 5;
    await expect(engine.rebuild('counters')).rejects.toThrow('boom at 5');
    model.failAt = undefined;
    expect(await appliedPositions(env.db)).toEqual(range(1, 10));
    const names = (await env.db.listCollections().toArray()).map((c) => c.name);
    expect(names).not.toContain('counters__rebuild');
    expect((await engine.status())[0]).toMatchObject({ status: 'running', checkpoint: 10 });
    expect(await engine.lane('counters').isPaused()).toBe(false);
    await appendEvents(store, 'a', 2);
    expect(await engine.waitForPosition('counters', 12, 5_000)).toBe(true);

    // A second rebuild while one holds the lane is refused.
    await engine.checkpoints.setStatus('counters', 'rebuilding');
    await expect(engine.rebuild('counters')).rejects.toBeInstanceOf(RebuildInProgressError);
    const forced = await engine.rebuild('counters', { force: true });
    expect(forced.position).toBe(12);
  });

  it('events appended during the replay and between the replay and the swap are applied once after the swap', async () => {
    const inner = new MemoryEventStore();
    // Delegates to the memory store; `atReplayEnd` runs when a readAll first comes back empty (the replay's end),
    // so its events are appended after the replay and before the swap, deterministically.
    let atReplayEnd: (() => Promise<unknown>) | undefined;
    const store: EventStore = {
      appendToStream: (streamId, events, expected) => inner.appendToStream(streamId, events, expected),
      readStream: (streamId, options) => inner.readStream(streamId, options),
      readEventById: (streamId, id) => inner.readEventById(streamId, id),
      async readAll(options) {
        const page = await inner.readAll(options);
        const hook = atReplayEnd;
        if (page.length === 0 && hook) {
          atReplayEnd = undefined;
          await hook();
        }
        return page;
      },
      subscribeToAll: (options) => inner.subscribeToAll(options),
      headPosition: () => inner.headPosition(),
      close: () => inner.close(),
    };
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();
    await appendEvents(store, 'a', 300);
    expect(await engine.waitForPosition('counters', 300, 10_000)).toBe(true);

    let duringReplay: Promise<number> | undefined;
    let armed = false;
    const result = await engine.rebuild('counters', {
      pageSize: 50,
      onProgress: () => {
        duringReplay ??= appendEvents(store, 'b', 30);
        // Armed once the replay runs, when the lane is paused: its jobs read the store too (to its end).
        if (!armed) atReplayEnd = () => appendEvents(store, 'c', 30);
        armed = true;
      },
    });
    await duringReplay;
    expect(atReplayEnd).toBeUndefined(); // the hook ran
    expect(result.position).toBeLessThan(360); // so the last 30 events were not replayed: the lane must apply them
    expect(await engine.waitForPosition('counters', 360, 10_000)).toBe(true);
    expect(await appliedPositions(env.db)).toEqual(range(1, 360));
    expect((await engine.status())[0]).toMatchObject({ status: 'running', checkpoint: 360, lag: 0 });
  });
});
