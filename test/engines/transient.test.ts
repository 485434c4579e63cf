import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { MongoClient, MongoNetworkError, MongoNotConnectedError, MongoServerError } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backoffDelay, isTransientError, retryWhileTransient } from '../../src/engines/transient.ts';
import { MONGO_URL, PG_TEST_URL, REDIS_URL } from '../support/engines.ts';

/** A port nothing listens on: connecting to it is refused, as with an engine that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function withPg<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

describe('isTransientError: what an engine that is down, restarting or timing out throws', () => {
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  it('MongoDB: no server to select, a dropped connection, labels and codes of failover and shutdown', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${port}`, { serverSelectionTimeoutMS: 200 });
    const selection = await failure(() => client.db('x').command({ ping: 1 }));
    await client.close();
    expect((selection as Error).name).toBe('MongoServerSelectionError');
    expect(isTransientError(selection)).toBe(true);
    // What the lanes recorded in the outage of the issue: a write in flight when FerretDB went away.
    expect(isTransientError(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'))).toBe(true);
    expect(isTransientError(new MongoNotConnectedError('not connected'))).toBe(true);
    const labelled = new MongoServerError({ message: 'write failed', code: 999, errorLabels: ['RetryableWriteError'] });
    expect(isTransientError(labelled)).toBe(true);
    expect(isTransientError(new MongoServerError({ message: 'txn', errorLabels: ['TransientTransactionError'] }))).toBe(true);
    expect(isTransientError(new MongoServerError({ message: 'shutting down', code: 91 }))).toBe(true);
    expect(isTransientError(new MongoServerError({ message: 'not primary', code: 10107 }))).toBe(true);
    // Found by the chaos run (docs/reliability.md): a find in flight while FerretDB's PostgreSQL restarted.
    const backendDropped = '[msg_find.go:344 handler.handleMaxTimeMSError] [values.go:74 iterator.ConsumeValuesN[...]] [query_iterator.go:92 postgresql.(*queryIterator).Next] unexpected EOF';
    expect(isTransientError(new MongoServerError({ message: backendDropped, code: 1 }))).toBe(true);
    expect(isTransientError(new MongoServerError({ message: 'document has an unexpected EOF in its name', code: 1 }))).toBe(false);
  });

  it('PostgreSQL: connection refused, terminated, a statement timeout', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/x` });
    const refused = await failure(() => client.connect());
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isTransientError(refused)).toBe(true);

    const terminated = await withPg((c) => failure(() => c.query('select pg_terminate_backend(pg_backend_pid())')));
    expect((terminated as { code?: string }).code).toBe('57P01');
    expect(isTransientError(terminated)).toBe(true);

    const timedOut = await withPg(async (c) => {
      await c.query('set statement_timeout = 50');
      return failure(() => c.query('select pg_sleep(2)'));
    });
    expect((timedOut as { code?: string }).code).toBe('57014');
    expect(isTransientError(timedOut)).toBe(true);
  });

  it('Redis: unreachable, or a connection closed under a command', async () => {
    const unreachable = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    unreachable.on('error', () => {});
    const refused = await failure(() => unreachable.connect());
    expect(isTransientError(refused)).toBe(true);
    const closed = await failure(() => unreachable.get('k'));
    expect((closed as Error).message).toMatch(/Connection is closed/);
    expect(isTransientError(closed)).toBe(true);
    unreachable.disconnect();

    const noQueue = new Redis({ port, enableOfflineQueue: false, retryStrategy: () => 100, lazyConnect: true });
    noQueue.on('error', () => {});
    expect(isTransientError(await failure(() => noQueue.get('k')))).toBe(true);
    noQueue.disconnect();
  });

  it('looks through causes and AggregateError members, as a handler failure wraps them', async () => {
    const socket = await failure(
      () =>
        new Promise((resolve, reject) => {
          net.connect(port, '127.0.0.1').on('connect', resolve).on('error', reject);
        }),
    );
    expect(isTransientError(socket)).toBe(true);
    expect(isTransientError(new Error('handler failed', { cause: socket }))).toBe(true);
    expect(isTransientError(new AggregateError([new TypeError('x'), socket]))).toBe(true);
  });
});

describe('isTransientError: what would fail again on the same event', () => {
  let mongo: MongoClient;
  let redis: Redis;
  beforeAll(async () => {
    mongo = await MongoClient.connect(MONGO_URL);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await mongo.close();
    redis.disconnect();
  });

  it('a bug, a validation failure, a duplicate key, bad SQL, a wrong Redis type', async () => {
    expect(isTransientError(await failure(async () => (undefined as unknown as { x: { y: number } }).x.y))).toBe(false);
    expect(isTransientError(await failure(async () => z.object({ n: z.number() }).parse({ n: 'one' })))).toBe(false);

    const db = mongo.db(`t_transient_${randomUUID().slice(0, 8)}`);
    try {
      await db.collection('c').insertOne({ _id: 'a' } as never);
      const duplicate = await failure(() => db.collection('c').insertOne({ _id: 'a' } as never));
      expect((duplicate as MongoServerError).code).toBe(11000);
      expect(isTransientError(duplicate)).toBe(false);
    } finally {
      await db.dropDatabase();
    }

    const syntax = await withPg((c) => failure(() => c.query('selec 1')));
    expect((syntax as { code?: string }).code).toBe('42601');
    expect(isTransientError(syntax)).toBe(false);

    const key = `t_transient_${randomUUID()}`;
    await redis.set(key, 'v');
    const wrongType = await failure(() => redis.lpush(key, 'x'));
    await redis.del(key);
    expect((wrongType as Error).message).toMatch(/^WRONGTYPE/);
    expect(isTransientError(wrongType)).toBe(false);

    expect(isTransientError(undefined)).toBe(false);
    expect(isTransientError('ECONNREFUSED')).toBe(false);
  });
});

describe('retrying while transient', () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { code: 'ECONNREFUSED' });

  it('backs off from 100 ms, doubling, capped at 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((attempt) => backoffDelay(attempt))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(backoffDelay(3, { initialMs: 10, maxMs: 25 })).toBe(25);
  });

  it('retries a transient failure until the work succeeds, reporting each attempt', async () => {
    let calls = 0;
    const retries: [number, number][] = [];
    const result = await retryWhileTransient(
      async () => {
        if (++calls < 4) throw refused();
        return 'done';
      },
      { backoff: { initialMs: 1, maxMs: 4 }, onRetry: (_error, attempts, delayMs) => retries.push([attempts, delayMs]) },
    );
    expect(result).toBe('done');
    expect(retries).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
  });

  it('throws anything else at once, and the last transient error once aborted', async () => {
    let calls = 0;
    const bug = new TypeError('bug');
    await expect(
      retryWhileTransient(async () => {
        calls++;
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);

    const controller = new AbortController();
    const last = refused();
    const started = Date.now();
    const retrying = retryWhileTransient(() => Promise.reject(last), { backoff: { initialMs: 10_000, maxMs: 10_000 }, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(retrying).rejects.toBe(last);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
