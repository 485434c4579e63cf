/**
 * Events/s applied through the projection engine (feeder → BullMQ job per lane → worker → FerretDB, checkpoint
 * per job) for a trivial read model, next to applying the same events with the same handler straight to
 * FerretDB (no BullMQ, no checkpoint) in the same run. The machine is shared and noisy: compare the ratio.
 *
 *   node --import tsx bench/projections.ts      (BENCH_EVENTS, default 5000; BENCH_STREAMS, default 50)
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../src/catalogue.ts';
import type { EventToAppend, RecordedEvent } from '../src/events/envelope.ts';
import { MemoryEventStore } from '../src/events/store/memory.ts';
import { ProjectionEngine } from '../src/projections/engine/engine.ts';
import { updateGuarded } from '../src/projections/engine/guard.ts';
import { liveContext } from '../src/projections/engine/context.ts';
import { laneQueuePrefix, redisOptions } from '../src/projections/engine/queues.ts';
import type { ReadModel } from '../src/projections/engine/read-model.ts';
import { Queue } from 'bullmq';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 50);
const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function counter(name: string): ReadModel {
  return {
    name,
    collections: [{ name, indexes: [] }],
    async apply(event, ctx) {
      await updateGuarded(ctx.collection<{ _id: string; count?: number }>(name), { _id: event.streamId }, { $inc: { count: 1 } }, event.position, { upsert: true });
    },
  };
}

function events(count: number): Map<string, EventToAppend[]> {
  const byStream = new Map<string, EventToAppend[]>();
  for (let i = 0; i < count; i++) {
    const stream = `s${i % STREAMS}`;
    const list = byStream.get(stream) ?? [];
    list.push({
      id: randomUUID(),
      type: 'Counted',
      data: { i },
      metadata: { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
    });
    byStream.set(stream, list);
  }
  return byStream;
}

const client = await MongoClient.connect(MONGO_URL);
const db = client.db(`rn_bench_${randomUUID().slice(0, 8)}`);
const prefix = `rn_bench_${randomUUID().slice(0, 8)}`;
const results: Record<string, number> = {};

try {
  // 1. Through the engine: start on an empty store, then append everything; the feeder carries it.
  for (const lanes of [1, 4]) {
    const store = new MemoryEventStore();
    const models = Array.from({ length: lanes }, (_, i) => counter(`bench_${lanes}_${i}`));
    const engine = new ProjectionEngine({
      store,
      db,
      redis: { url: REDIS_URL },
      prefix,
      readModels: models,
      catalogue: buildEventCatalogue(),
      logger: pino({ level: 'warn' }),
      registry: new Registry(),
    });
    await engine.start();
    const started = performance.now();
    // Interleave streams so batches mix them, in appends of 10 events.
    const byStream = events(EVENTS);
    for (let offset = 0; offset < EVENTS / STREAMS; offset += 10) {
      for (const [stream, list] of byStream) {
        const chunk = list.slice(offset, offset + 10);
        if (chunk.length > 0) await store.appendToStream(stream, chunk, 'any');
      }
    }
    const head = await store.headPosition();
    for (const model of models) {
      if (!(await engine.waitForPosition(model.name, head, 300_000))) throw new Error(`${model.name} did not reach ${head}`);
    }
    const seconds = (performance.now() - started) / 1000;
    results[`engine, ${lanes} lane(s), events/s per lane`] = Math.round(head / seconds);
    results[`engine, ${lanes} lane(s), events/s all lanes`] = Math.round((head * lanes) / seconds);
    await engine.stop();
    for (const model of models) {
      const queue = new Queue(model.name, { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(prefix) });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }

  // 2. The same handler on the same events, applied directly in a loop.
  {
    const store = new MemoryEventStore();
    for (const [stream, list] of events(EVENTS)) await store.appendToStream(stream, list, 'any');
    const all: RecordedEvent[] = await store.readAll({ after: 0, maxCount: EVENTS });
    const model = counter('bench_direct');
    const ctx = liveContext(db, model);
    const started = performance.now();
    for (const event of all) await model.apply(event, ctx);
    const seconds = (performance.now() - started) / 1000;
    results['direct to FerretDB, events/s'] = Math.round(all.length / seconds);
  }

  const direct = results['direct to FerretDB, events/s']!;
  console.log(`events: ${EVENTS}, streams: ${STREAMS}`);
  for (const [label, value] of Object.entries(results)) {
    console.log(`${label.padEnd(42)} ${String(value).padStart(8)}   ratio to direct ${(value / direct).toFixed(2)}`);
  }
} finally {
  await db.dropDatabase();
  await client.close();
}
