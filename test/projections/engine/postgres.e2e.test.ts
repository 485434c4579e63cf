import { describe, expect, it } from 'vitest';
import { eachWithPostgresStore } from '../../support/each-test.ts';
import { appendEvents, appliedPositions, counterModel, testEnv, type CounterDoc } from './helpers.ts';

const PG_URL = process.env.EVENTSTORE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/revolution_test';

describe('projection engine end to end on PostgreSQL + BullMQ + FerretDB', () => {
  const t = eachWithPostgresStore(testEnv, 200, PG_URL);

  it('projects concurrent appends in order, survives a restart, and rebuilds', async () => {
    const model = counterModel();
    const engine1 = t.env.engine({ store: t.store, readModels: [model] });
    await engine1.start();
    // Several writers at once: global order is the store's, each stream's events in revision order.
    await Promise.all(['p', 'q', 'r', 's'].map((stream) => appendEvents(t.store, stream, 25)));
    const head = await t.store.headPosition();
    expect(await engine1.waitForPosition('counters', head, 10_000)).toBe(true);
    expect(model.calls).toEqual([...model.calls].sort((a, b) => a - b));
    const all = await t.store.readAll({ after: 0, maxCount: 1000 });
    expect(await appliedPositions(t.env.db)).toEqual(all.map((event) => event.position));
    await engine1.stop();

    const more = await appendEvents(t.store, 'p', 10);
    const engine2 = t.env.engine({ store: t.store, readModels: [counterModel()] });
    await engine2.start();
    expect(await engine2.waitForPosition('counters', more, 10_000)).toBe(true);
    const p = await t.env.db.collection<CounterDoc>('counters').findOne({ _id: 'p' });
    expect(p?.count).toBe(35);
    expect((await appliedPositions(t.env.db)).length).toBe(110);

    const before = await t.env.db.collection<CounterDoc>('counters').find().sort({ _id: 1 }).toArray();
    await t.env.db.collection('counters').deleteMany({});
    const rebuilt = await engine2.rebuild('counters');
    expect(rebuilt.position).toBe(more);
    expect(await t.env.db.collection<CounterDoc>('counters').find().sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
