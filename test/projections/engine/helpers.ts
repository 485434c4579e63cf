import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { MongoClient, type Db } from 'mongodb';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import type { EventStore } from '../../../src/events/store/port.ts';
import { ProjectionEngine, type ProjectionEngineOptions } from '../../../src/projections/engine/engine.ts';
import { updateGuarded } from '../../../src/projections/engine/guard.ts';
import { laneQueuePrefix, redisOptions } from '../../../src/projections/engine/queues.ts';
import type { ReadModel } from '../../../src/projections/engine/read-model.ts';

export const MONGO_URL = process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function randomName(): string {
  return `rn_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; then fails with the last value seen. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(last)}${lastError ? `, last error ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Log lines captured from pino, parsed. */
export interface CapturedLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'warn'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** Appends `count` events to `streamId` (one append per event, like separate commands). Returns the last position. */
export async function appendEvents(store: EventStore, streamId: string, count: number, type = 'Counted'): Promise<number> {
  let position = 0;
  for (let i = 0; i < count; i++) {
    const result = await store.appendToStream(
      streamId,
      [
        {
          id: randomUUID(),
          type,
          data: { n: i },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actorId: null,
            occurredAt: new Date().toISOString(),
            schemaVersion: 1,
          },
        },
      ],
      'any',
    );
    position = result.position;
  }
  return position;
}

export interface CounterDoc {
  _id: string;
  count: number;
  positions: number[];
  _pos: number;
}

/**
 * A small read model: per stream, a `counters` document with the number of events and the positions applied
 * (guarded, so duplicates would show up as repeated positions). `calls` records every apply call, in order,
 * including the ones the guard turned into no-ops; `failAt` makes apply throw on that position.
 */
export interface CounterModel extends ReadModel {
  calls: number[];
  failAt: number | undefined;
}

export function counterModel(name = 'counters', collection = 'counters'): CounterModel {
  const model: CounterModel = {
    name,
    calls: [],
    failAt: undefined,
    collections: [
      {
        name: collection,
        indexes: [{ key: { count: -1 }, options: { name: 'count_desc' } }],
      },
    ],
    async apply(event: RecordedEvent, ctx) {
      model.calls.push(event.position);
      if (model.failAt === event.position) throw new Error(`boom at ${event.position}`);
      await updateGuarded(
        ctx.collection<CounterDoc>(collection),
        { _id: event.streamId },
        { $inc: { count: 1 }, $push: { positions: event.position } },
        event.position,
        { upsert: true },
      );
    },
  };
  return model;
}

/** Every position applied to `counters`, over all streams, sorted. */
export async function appliedPositions(db: Db, collection = 'counters'): Promise<number[]> {
  const docs = await db.collection<CounterDoc>(collection).find().toArray();
  return docs.flatMap((doc) => doc.positions).sort((a, b) => a - b);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** A test's own Mongo database, BullMQ prefix and registry; `cleanup` drops and obliterates them. */
export interface TestEnv {
  client: MongoClient;
  db: Db;
  prefix: string;
  engines: ProjectionEngine[];
  engine(options: Partial<ProjectionEngineOptions> & Pick<ProjectionEngineOptions, 'store' | 'readModels'>): ProjectionEngine;
  obliterateQueues(names: string[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function testEnv(): Promise<TestEnv> {
  const client = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000 });
  const db = client.db(randomName());
  const prefix = randomName();
  const queueNames = new Set<string>();
  const engines: ProjectionEngine[] = [];
  const obliterateQueues = async (names: string[]): Promise<void> => {
    for (const name of names) {
      const queue = new Queue(name, { connection: redisOptions({ url: REDIS_URL }), prefix: laneQueuePrefix(prefix) });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  };
  return {
    client,
    db,
    prefix,
    engines,
    engine(options) {
      for (const model of options.readModels) queueNames.add(model.name);
      const engine = new ProjectionEngine({
        db,
        redis: { url: REDIS_URL },
        prefix,
        logger: pino({ level: 'silent' }),
        registry: new Registry(),
        catalogue: buildEventCatalogue(),
        pollIntervalMs: 20,
        ...options,
      });
      engines.push(engine);
      return engine;
    },
    obliterateQueues,
    async cleanup() {
      await Promise.all(engines.map((engine) => engine.stop()));
      await obliterateQueues([...queueNames]);
      await db.dropDatabase();
      await client.close();
    },
  };
}
