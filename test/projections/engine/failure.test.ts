import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import { appendEvents, appliedPositions, captureLogger, counterModel, eventually, range, testEnv, type TestEnv } from './helpers.ts';

describe('projection engine: a failing handler', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('stops its lane with the event recorded, applies nothing after it, and resume retries it', async () => {
    const store = new MemoryEventStore();
    const failing = counterModel('failing', 'failing');
    const healthy = counterModel('healthy', 'healthy');
    failing.failAt = 7;
    const { logger, lines } = captureLogger('warn');
    const engine = env.engine({ store, readModels: [failing, healthy], logger });
    await engine.start();

    await appendEvents(store, 's', 12);
    const events = await store.readAll({ after: 0, maxCount: 100 });
    const failed = events[6]!;
    expect(failed.position).toBe(7);

    const stopped = await eventually(async () => {
      const status = (await engine.status()).find((s) => s.readModel === 'failing');
      return status?.status === 'stopped' ? status : undefined;
    }, 5_000, 'lane stopped');
    expect(stopped.error).toMatchObject({ eventId: failed.id, position: 7, message: 'boom at 7' });
    expect(stopped.error?.at).toBeInstanceOf(Date);
    expect(stopped.checkpoint).toBe(6); // everything before the failed event, nothing after
    expect(await engine.lane('failing').isPaused()).toBe(true);

    // The other lane is independent and complete.
    expect(await engine.waitForPosition('healthy', 12, 5_000)).toBe(true);
    expect(await appliedPositions(env.db, 'healthy')).toEqual(range(1, 12));

    // The failure was logged with the read model, event id, position and error.
    const logged = await eventually(() => lines.find((line) => line.msg === 'projection handler failed; lane stopped'), 2_000, 'error log');
    expect(logged).toMatchObject({ readModel: 'failing', eventId: failed.id, position: 7, level: 50 });
    expect((logged.err as { message: string }).message).toBe('boom at 7');

    // More events while stopped: still nothing after 6, and the failed job was not retried.
    await appendEvents(store, 's', 3);
    expect(await engine.waitForPosition('healthy', 15, 5_000)).toBe(true);
    expect(await engine.waitForPosition('failing', 7, 200)).toBe(false);
    expect(await appliedPositions(env.db, 'failing')).toEqual(range(1, 6));
    expect(failing.calls.filter((position) => position === 7)).toHaveLength(1);
    expect(failing.calls.every((position) => position <= 7)).toBe(true);

    // Fixed: resume continues from the failed event.
    failing.failAt = undefined;
    await engine.resume('failing');
    expect(await engine.waitForPosition('failing', 15, 5_000)).toBe(true);
    expect(await appliedPositions(env.db, 'failing')).toEqual(range(1, 15));
    expect(failing.calls).toEqual([...range(1, 7), ...range(7, 15)]);
    const after = (await engine.status()).find((s) => s.readModel === 'failing');
    expect(after).toMatchObject({ status: 'running', checkpoint: 15, lag: 0 });
    expect(after?.error).toBeUndefined();
  });

  it('a stopped lane stays stopped across a restart that also lost Redis', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    model.failAt = 3;
    const engine1 = env.engine({ store, readModels: [model] });
    await engine1.start();
    await appendEvents(store, 's', 5);
    await eventually(async () => (await engine1.status())[0]?.status === 'stopped', 5_000, 'lane stopped');
    await engine1.stop();
    await env.obliterateQueues(['counters']); // the paused flag is gone with the queue

    const engine2 = env.engine({ store, readModels: [model] });
    await engine2.start();
    await appendEvents(store, 's', 2);
    expect(await engine2.lane('counters').isPaused()).toBe(true);
    expect(await engine2.waitForPosition('counters', 3, 300)).toBe(false);
    expect(await appliedPositions(env.db)).toEqual([1, 2]);

    model.failAt = undefined;
    await engine2.resume('counters');
    expect(await engine2.waitForPosition('counters', 7, 5_000)).toBe(true);
    expect(await appliedPositions(env.db)).toEqual(range(1, 7));
  });

  it('resuming a lane that is still broken stops it again on the same event; the next resume completes it', async () => {
    const store = new MemoryEventStore();
    const model = counterModel();
    model.failAt = 4;
    const engine = env.engine({ store, readModels: [model] });
    await engine.start();
    await appendEvents(store, 's', 6);
    const stopped = async () => (await engine.status())[0]?.status === 'stopped';
    await eventually(stopped, 5_000, 'stopped');

    await engine.resume('counters'); // not fixed yet
    await eventually(async () => model.calls.filter((p) => p === 4).length === 2 && (await stopped()), 5_000, 'stopped again');
    expect((await engine.status())[0]).toMatchObject({ checkpoint: 3, error: { position: 4 } });

    model.failAt = undefined;
    await engine.resume('counters'); // no new event arrives: the resume alone must carry the lane to the head
    expect(await engine.waitForPosition('counters', 6, 5_000)).toBe(true);
    expect(await appliedPositions(env.db)).toEqual(range(1, 6));
  });
});
