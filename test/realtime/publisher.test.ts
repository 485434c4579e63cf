import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import { Publisher, publishedKey } from '../../src/realtime/publisher.ts';
import { appendEvents, eventually } from '../projections/engine/helpers.ts';
import { isolatedEngines, REDIS_URL } from '../support/engines.ts';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

describe('gateway publisher: the event store unreachable when it wins the lease', () => {
  const engines = isolatedEngines('publisher');
  const schema = engines.id;
  let proxy: TcpProxy;
  let store: PostgresEventStore;
  let redis: Redis;
  let publisher: Publisher | undefined;
  beforeEach(async () => {
    proxy = await tcpProxy({ host: '127.0.0.1', port: 5432 });
    store = new PostgresEventStore({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/revolution_test`, schema, pollIntervalMs: 100 });
    await store.migrate();
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    await publisher?.stop();
    await store.close();
    await proxy.close();
    redis.disconnect();
    await engines.drop();
  });

  it('gives the lease back, so that publishing starts as soon as the store is back rather than when the lease expires', async () => {
    const leaseMs = 10_000;
    await proxy.cut();
    publisher = new Publisher({ store, redis, prefix: engines.id, nodeId: `node-${randomUUID()}`, logger: pino({ level: 'silent' }), leaseMs });
    publisher.start();
    await new Promise((resolve) => setTimeout(resolve, 500)); // it won the lease and failed to read the head
    expect(publisher.isLeader).toBe(false);

    await proxy.restore();
    const restored = Date.now();
    await eventually(() => publisher!.isLeader, leaseMs, 'the publisher to lead');
    expect(Date.now() - restored).toBeLessThan(leaseMs / 2);
    const last = await appendEvents(store, 'published', 2);
    await eventually(async () => Number(await redis.get(publishedKey(engines.id))) === last, 5_000, 'the events published');
  }, 30_000);
});
