import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import { appendEvents, counterModel, eventually, testEnv, type TestEnv } from './helpers.ts';

/** Value of `metric{read_model="<readModel>"}` in a Prometheus text exposition, or undefined. */
function sample(text: string, metric: string, readModel: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{read_model="${readModel}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('projection engine: read-your-writes and metrics', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('waitForPosition resolves true once applied, false on timeout, also from a process without workers', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();

    const position = await appendEvents(store, 's', 3);
    const waited = Date.now();
    expect(await engine.waitForPosition('counters', position, 5_000)).toBe(true);
    expect(Date.now() - waited).toBeLessThan(5_000);
    const doc = await env.db.collection('counters').findOne({ _id: 's' as never });
    expect(doc?.count).toBe(3); // applied by the time it resolved

    // A position nobody has reached: false after the timeout, not before.
    const started = Date.now();
    expect(await engine.waitForPosition('counters', position + 1, 150)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // An engine with neither workers nor feeder (a query-serving process) sees progress by polling Mongo.
    const reader = env.engine({ store, readModels: [counterModel()] });
    await reader.start({ runWorkers: false, runFeeder: false });
    const pending = reader.waitForPosition('counters', position + 2, 5_000);
    const last = await appendEvents(store, 't', 2);
    expect(last).toBe(position + 2);
    expect(await pending).toBe(true);
    expect(await reader.checkpoint('counters')).toBe(position + 2);
    expect(() => reader.waitForPosition('nope', 1, 10)).toThrow(/unknown read model/);
  });

  it('exposes checkpoint, lag, queue depth and applied events per read model in the given registry', async () => {
    const store = new MemoryEventStore();
    const ok = counterModel('ok', 'ok');
    const broken = counterModel('broken', 'broken');
    broken.failAt = 4;
    const registry = new Registry();
    const engine = env.engine({ store, readModels: [ok, broken], registry });
    await engine.start();
    await appendEvents(store, 's', 10);
    expect(await engine.waitForPosition('ok', 10, 5_000)).toBe(true);
    await eventually(async () => (await engine.status()).find((s) => s.readModel === 'broken')?.status === 'stopped', 5_000, 'broken stopped');
    // A job fed while the last one ran finds nothing left to apply; it may still be in the queue a moment.
    await eventually(async () => (await engine.lane('ok').queueDepth()) === 0, 5_000, 'ok lane idle');

    const text = await registry.metrics();
    expect(sample(text, 'projection_checkpoint_position', 'ok')).toBe(10);
    expect(sample(text, 'projection_lag_events', 'ok')).toBe(0);
    expect(sample(text, 'projection_checkpoint_position', 'broken')).toBe(3);
    expect(sample(text, 'projection_lag_events', 'broken')).toBe(7);
    expect(sample(text, 'projection_stopped', 'broken')).toBe(1);
    expect(sample(text, 'projection_stopped', 'ok')).toBe(0);
    expect(sample(text, 'projection_events_applied_total', 'ok')).toBe(10);
    expect(sample(text, 'projection_events_applied_total', 'broken')).toBe(3);
    expect(sample(text, 'projection_lane_failures_total', 'broken')).toBe(1);
    expect(sample(text, 'projection_queue_depth', 'ok')).toBe(0);
    // The stopped lane's queue holds the jobs fed before it paused (the failed one is in `failed`, not counted).
    const brokenDepth = await engine.lane('broken').queueDepth();
    expect(sample(text, 'projection_queue_depth', 'broken')).toBe(brokenDepth);

    const status = await engine.status();
    expect(status.map((s) => [s.readModel, s.head])).toEqual([
      ['ok', 10],
      ['broken', 10],
    ]);
  });

  it('queue depth reflects waiting jobs when no worker runs', async () => {
    const store = new MemoryEventStore();
    const registry = new Registry();
    const engine = env.engine({ store, readModels: [counterModel()], registry });
    await engine.start({ runWorkers: false });
    await appendEvents(store, 's', 3);
    await eventually(() => engine.feed!.position === 3, 5_000, 'fed');
    const depth = await engine.lane('counters').queueDepth();
    expect(depth).toBeGreaterThanOrEqual(1);
    const text = await registry.metrics();
    expect(sample(text, 'projection_queue_depth', 'counters')).toBe(depth);
    expect(sample(text, 'projection_lag_events', 'counters')).toBe(3);
    expect(sample(text, 'projection_checkpoint_position', 'counters')).toBe(0);
  });
});
