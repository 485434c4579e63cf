import type { RedisOptions } from 'ioredis';
import type { RecordedEvent } from '../../events/envelope.ts';
import { READ_MODELS } from './family.ts';

/** Largest number of events carried by one job. */
export const MAX_BATCH_EVENTS = 500;

/**
 * One job of a lane: the events of the global range (after, last], which the lane applies with every later event
 * the store holds when the job runs. `events` lists every event of that range in position order; an empty `events`
 * asks the lane to read from the store itself (a catch-up). `after` tells the lane whether the events follow on from
 * its checkpoint; if not (a job lost with Redis, a failed job, jobs reordered by a retry), it reads the hole from the
 * store, so it never skips an event.
 */
export interface LaneBatch {
  after: number;
  last: number;
  events: RecordedEvent[];
}

/** Deterministic job id of a fed batch, so feeding the same range twice adds it once (while the job exists). */
export function batchJobId(events: readonly RecordedEvent[]): string {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new RangeError('a batch needs at least one event');
  return `${first.position}-${last.position}`;
}

/** Either a Redis URL or ioredis connection options. */
export type RedisConfig = { url: string } | RedisOptions;

/**
 * ioredis options for BullMQ. `maxRetriesPerRequest: null` is what BullMQ workers require: a command waits for
 * Redis to come back instead of failing.
 */
export function redisOptions(config: RedisConfig): RedisOptions {
  if ('url' in config && typeof config.url === 'string') {
    const url = new URL(config.url);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
    return {
      host: url.hostname || '127.0.0.1',
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      maxRetriesPerRequest: null,
    };
  }
  return { ...(config as RedisOptions), maxRetriesPerRequest: null };
}

/**
 * BullMQ forbids ':' in queue names, so the lane queue `${prefix}:projection:${readModel}` is made of the BullMQ
 * key prefix `${prefix}:projection` and the queue name `${readModel}`: its Redis keys are
 * `${prefix}:projection:${readModel}:wait`, `...:active`, etc. Another family of lanes has its own `kind`.
 */
export function laneQueuePrefix(prefix: string, kind = READ_MODELS.kind): string {
  return `${prefix}:${kind}`;
}

/** Full name of a lane queue, as it appears in Redis keys and logs. */
export function laneQueueName(prefix: string, laneName: string, kind = READ_MODELS.kind): string {
  return `${laneQueuePrefix(prefix, kind)}:${laneName}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves to `fallback` when `promise` has not settled within `ms` (for shutdown paths that must not hang). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
