import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import { appendEvents, appliedPositions, counterModel, eventually, range, testEnv, type CounterDoc, type TestEnv } from './helpers.ts';

describe('projection engine delivery', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('applies appended events in order, once, and a redelivered batch changes nothing', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();

    await appendEvents(store, 'a', 5);
    await appendEvents(store, 'b', 3);
    const head = await appendEvents(store, 'a', 4);
    expect(await engine.waitForPosition('counters', head, 5_000)).toBe(true);

    expect(await appliedPositions(env.db)).toEqual(range(1, 12));
    expect(model.calls).toEqual(range(1, 12)); // in order, each handler call once
    const a = await env.db.collection<CounterDoc>('counters').findOne({ _id: 'a' });
    expect(a).toMatchObject({ count: 9, positions: [1, 2, 3, 4, 5, 9, 10, 11, 12], _pos: 12 });

    // Redelivery 1: the same range fed twice under its deterministic id is added once.
    const events = await store.readAll({ after: 0, maxCount: 100 });
    const lane = engine.lane('counters');
    await engine.feed!.feed(events, 0);
    await eventually(async () => (await lane.queue.getJobState('1-12')) === 'completed', 5_000, 'job 1-12');
    const total = async () => Object.values(await lane.queue.getJobCounts()).reduce((sum, n) => sum + n, 0);
    const jobsBefore = await total();
    await engine.feed!.feed(events, 0);
    expect(await total()).toBe(jobsBefore);
    expect((await lane.queue.getJob('1-12'))?.returnvalue).toMatchObject({ applied: 0, skipped: 'behind-checkpoint' });
    // Redelivery 2: the same batch under a new id (as if BullMQ delivered it twice): the lane skips it.
    await lane.enqueue({ after: 0, last: 12, events }, { jobId: 'redelivered' });
    await eventually(async () => (await lane.queue.getJobState('redelivered')) === 'completed', 5_000, 'redelivered job');
    const redelivered = await lane.queue.getJob('redelivered');
    expect(redelivered?.returnvalue).toMatchObject({ applied: 0, skipped: 'behind-checkpoint' });
    expect(model.calls).toEqual(range(1, 12));
    expect(await appliedPositions(env.db)).toEqual(range(1, 12));

    // Redelivery 3: the checkpoint set back (as after a crash between apply and checkpoint): the handler runs
    // again for 6..12, and the guards make it a no-op.
    await engine.checkpoints.set('counters', 5, 'running');
    await lane.enqueue({ after: 0, last: 12, events }, { jobId: 'replayed' });
    await eventually(async () => (await lane.queue.getJobState('replayed')) === 'completed', 5_000, 'replayed job');
    expect(model.calls).toEqual([...range(1, 12), ...range(6, 12)]);
    expect(await appliedPositions(env.db)).toEqual(range(1, 12));
    expect(await engine.checkpoint('counters')).toBe(12);
  });

  it('a job whose predecessor was lost is completed from the store (a hole is never skipped)', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start({ runFeeder: false });
    await appendEvents(store, 's', 10);
    const events = await store.readAll({ after: 0, maxCount: 100 });
    // Only the second half is enqueued: the job for 1..5 "was lost".
    await engine.lane('counters').enqueue({ after: 5, last: 10, events: events.slice(5) });
    expect(await engine.waitForPosition('counters', 10, 5_000)).toBe(true);
    expect(model.calls).toEqual(range(1, 10));
    expect(await appliedPositions(env.db)).toEqual(range(1, 10));
  });

  it('coalesces: a lane holds one waiting job whatever the pace, and a job applies every event after its checkpoint', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    // The feeder alone: what it adds to the lane stays in the queue.
    await engine.start({ runWorkers: false });
    const lane = engine.lane('counters');
    for (let i = 1; i <= 6; i++) {
      await appendEvents(store, 's', 1);
      await eventually(() => (engine.feed!.position >= i ? true : undefined), 5_000, `event ${i} fed`);
    }
    expect(engine.feed!.position).toBe(6);
    // Six events fed one at a time, one job: the feeder adds none to a lane that has one waiting.
    expect(await lane.waitingCount()).toBe(1);
    const [job] = await lane.queue.getWaiting();
    expect(job!.data).toMatchObject({ after: 0, last: 1 });

    // That job, carrying the first event only, applies all six and checkpoints once.
    expect(await lane.process({ id: job!.id, data: job!.data })).toEqual({ applied: 6, checkpoint: 6 });
    expect(model.calls).toEqual(range(1, 6));
    expect(await appliedPositions(env.db)).toEqual(range(1, 6));
    // A job behind the checkpoint reads what followed it, finds nothing, and applies nothing.
    expect(await lane.process({ id: 'late', data: job!.data })).toEqual({ applied: 0, checkpoint: 6, skipped: 'behind-checkpoint' });
    expect(model.calls).toEqual(range(1, 6));
  });

  it('restart: stopping mid-stream, appending more and starting a new engine loses and duplicates nothing', async () => {
    const store = new MemoryEventStore();
    const first = counterModel();
    const engine1 = env.engine({ store, readModels: [first], batchSize: 20 });
    await engine1.start();
    // Appends while the engine works, and stop it while it is still behind.
    const appending = appendEvents(store, 'x', 300);
    await eventually(async () => (await engine1.checkpoint('counters')) >= 40, 5_000, 'some progress');
    await engine1.stop();
    await appending;
    const stoppedAt = await engine1.checkpoint('counters');
    expect(stoppedAt).toBeLessThan(300);
    await appendEvents(store, 'y', 50);

    const second = counterModel();
    const engine2 = env.engine({ store, readModels: [second] });
    await engine2.start();
    expect(await engine2.waitForPosition('counters', 350, 10_000)).toBe(true);
    expect(await appliedPositions(env.db)).toEqual(range(1, 350));
    // The new engine did not call the handler for what the first had checkpointed.
    expect(second.calls.every((position) => position > stoppedAt)).toBe(true);
    const x = await env.db.collection<CounterDoc>('counters').findOne({ _id: 'x' });
    expect(x?.count).toBe(300);
  });

  it('restart with a checkpoint reset lower replays through the guards without a duplicate effect', async () => {
    const store = new MemoryEventStore();
    const engine1 = env.engine({ store, readModels: [counterModel()] });
    await engine1.start();
    const head = await appendEvents(store, 'r', 30);
    expect(await engine1.waitForPosition('counters', head, 5_000)).toBe(true);
    await engine1.stop();

    await engine1.checkpoints.set('counters', 10, 'running');
    const model = counterModel();
    const engine2 = env.engine({ store, readModels: [model] });
    await engine2.start();
    expect(await engine2.waitForPosition('counters', head, 5_000)).toBe(true);
    expect(model.calls).toEqual(range(11, 30)); // replayed, once each
    expect(await appliedPositions(env.db)).toEqual(range(1, 30));
    expect((await env.db.collection<CounterDoc>('counters').findOne({ _id: 'r' }))?.count).toBe(30);
  });

  it('Redis losing every queue while stopped still ends in a complete read model (checkpoints live in Mongo)', async () => {
    const store = new MemoryEventStore();
    const engine1 = env.engine({ store, readModels: [counterModel('c1', 'c1'), counterModel('c2', 'c2')], batchSize: 25 });
    await engine1.start();
    const appending = appendEvents(store, 'm', 200);
    await eventually(async () => (await engine1.checkpoint('c1')) >= 25, 5_000, 'some progress');
    await engine1.stop();
    await appending;
    await env.obliterateQueues(['c1', 'c2']);
    await appendEvents(store, 'n', 20);

    const engine2 = env.engine({ store, readModels: [counterModel('c1', 'c1'), counterModel('c2', 'c2')] });
    await engine2.start();
    expect(await engine2.waitForPosition('c1', 220, 10_000)).toBe(true);
    expect(await engine2.waitForPosition('c2', 220, 10_000)).toBe(true);
    expect(await appliedPositions(env.db, 'c1')).toEqual(range(1, 220));
    expect(await appliedPositions(env.db, 'c2')).toEqual(range(1, 220));
  });

  it('a worker-only process catches up from its Mongo checkpoint on start, with no feeder running', async () => {
    const store = new MemoryEventStore();
    const engine1 = env.engine({ store, readModels: [counterModel()] });
    await engine1.start();
    await appendEvents(store, 'w', 10);
    expect(await engine1.waitForPosition('counters', 10, 5_000)).toBe(true);
    await engine1.stop();
    await appendEvents(store, 'w', 15);
    await env.obliterateQueues(['counters']);

    const model = counterModel();
    const workersOnly = env.engine({ store, readModels: [model] });
    await workersOnly.start({ runFeeder: false });
    expect(await workersOnly.waitForPosition('counters', 25, 5_000)).toBe(true);
    expect(model.calls).toEqual(range(11, 25));
    expect(await appliedPositions(env.db)).toEqual(range(1, 25));
  });
});
