import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/events/store/memory.ts';
import type { ReadModelStatus } from '../../../src/projections/engine/metrics.ts';
import { tcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { appendEvents, appliedPositions, captureLogger, counterModel, eventually, MONGO_URL, randomName, range, testEnv, type TestEnv } from './helpers.ts';

describe('projection engine: an engine outage', () => {
  let env: TestEnv;
  let proxy: TcpProxy;
  let client: MongoClient;
  beforeEach(async () => {
    env = await testEnv();
    const mongo = new URL(MONGO_URL);
    proxy = await tcpProxy({ host: mongo.hostname, port: Number(mongo.port || 27017) });
    // Through the proxy; a short server selection so that writes during the outage fail rather than wait it out.
    client = await MongoClient.connect(`mongodb://127.0.0.1:${proxy.port}`, { serverSelectionTimeoutMS: 500 });
  });
  afterEach(async () => {
    await env.cleanup();
    await proxy.close();
    await client.close();
  });

  it('a FerretDB outage under load makes the lane retry, not stop; it resumes by itself and applies every event once', async () => {
    const db = client.db(randomName());
    const model = counterModel();
    const store = new MemoryEventStore();
    const registry = new Registry();
    const { logger, lines } = captureLogger('info');
    const engine = env.engine({ store, db, readModels: [model], registry, logger });
    const seen: ReadModelStatus[] = [];
    let watcher: Repeating | undefined;
    let appender: Repeating | undefined;
    try {
      await engine.start();
      await appendEvents(store, 'before', 10);
      expect(await engine.waitForPosition('counters', 10, 10_000)).toBe(true);

      watcher = repeat(async () => void seen.push(...(await engine.status())), 50);
      appender = repeat(() => appendEvents(store, 'during', 1), 20);

      await sleep(200); // writes in flight when the connections drop
      await proxy.cut();
      const retrying = await eventually(() => seen.find((s) => s.status === 'retrying'), 5_000, 'a retrying lane');
      expect(retrying.retrying).toMatchObject({ attempts: expect.any(Number), since: expect.any(Date), error: expect.any(String) });
      await sleep(3_000);
      const metrics = await registry.metrics();
      expect(metrics).toMatch(/^projection_retrying\{read_model="counters"\} [1-9]\d*$/m);
      await proxy.restore();
      await sleep(300);
      await appender.stop();

      const head = await store.headPosition();
      expect(head).toBeGreaterThan(60);
      expect(await engine.waitForPosition('counters', head, 30_000)).toBe(true);
      await watcher.stop();

      expect(seen.filter((s) => s.status === 'stopped')).toEqual([]);
      expect(await appliedPositions(db)).toEqual(range(1, head)); // each event exactly once
      const [status] = await engine.status();
      expect(status).toMatchObject({ status: 'running', checkpoint: head, lag: 0 });
      expect(status?.retrying).toBeUndefined();
      expect(await engine.lane('counters').isPaused()).toBe(false);
      expect(lines.some((line) => line.msg === 'lane job failed on an unavailable engine; retrying')).toBe(true);
      expect(lines.some((line) => line.msg === 'lane recovered; job applied')).toBe(true);
    } finally {
      await Promise.allSettled([watcher?.stop(), appender?.stop()]);
      await engine.stop();
      await env.client.db(db.databaseName).dropDatabase();
    }
  }, 60_000);
});

interface Repeating {
  /** Ends the loop; rejects with the error that ended it early, if one did. */
  stop(): Promise<void>;
}

/** Runs `task` again and again, `pauseMs` apart, until stopped or until it throws. */
function repeat(task: () => Promise<unknown>, pauseMs: number): Repeating {
  let running = true;
  const loop = (async () => {
    while (running) {
      await task();
      await sleep(pauseMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
