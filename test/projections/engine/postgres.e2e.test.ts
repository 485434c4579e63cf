import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../src/events/store/postgres.ts';
import { appendEvents, appliedPositions, counterModel, randomName, testEnv, type CounterDoc, type TestEnv } from './helpers.ts';

const PG_URL = process.env.EVENTSTORE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';

describe('projection engine end to end on PostgreSQL + BullMQ + FerretDB', () => {
  let env: TestEnv;
  let store: PostgresEventStore;
  beforeEach(async () => {
    env = await testEnv();
    store = new PostgresEventStore({ connectionString: PG_URL, schema: randomName(), pollIntervalMs: 200 });
    await store.migrate();
  });
  afterEach(async () => {
    await env.cleanup();
    await store.dropSchema();
    await store.close();
  });

  it('projects concurrent appends in order, survives a restart, and rebuilds', async () => {
    const model = counterModel();
    const engine1 = env.engine({ store, readModels: [model] });
    await engine1.start();
    // Several writers at once: global order is the store's, each stream's events in revision order.
    await Promise.all(['p', 'q', 'r', 's'].map((stream) => appendEvents(store, stream, 25)));
    const head = await store.headPosition();
    expect(await engine1.waitForPosition('counters', head, 10_000)).toBe(true);
    expect(model.calls).toEqual([...model.calls].sort((a, b) => a - b));
    const all = await store.readAll({ after: 0, maxCount: 1000 });
    expect(await appliedPositions(env.db)).toEqual(all.map((event) => event.position));
    await engine1.stop();

    const more = await appendEvents(store, 'p', 10);
    const engine2 = env.engine({ store, readModels: [counterModel()] });
    await engine2.start();
    expect(await engine2.waitForPosition('counters', more, 10_000)).toBe(true);
    const p = await env.db.collection<CounterDoc>('counters').findOne({ _id: 'p' });
    expect(p?.count).toBe(35);
    expect((await appliedPositions(env.db)).length).toBe(110);

    const before = await env.db.collection<CounterDoc>('counters').find().sort({ _id: 1 }).toArray();
    await env.db.collection('counters').deleteMany({});
    const rebuilt = await engine2.rebuild('counters');
    expect(rebuilt.position).toBe(more);
    expect(await env.db.collection<CounterDoc>('counters').find().sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
