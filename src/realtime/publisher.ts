import type { Redis } from 'ioredis';
import { releaseIfOwner } from '../redis/release-if-owner.ts';
import type { Logger } from 'pino';
import { withoutCredentials } from '../events/credentials.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { EventStore, Subscription } from '../events/store/port.ts';

/** One published batch: the events right after position `after`, in order. */
export interface PublishedBatch {
  after: number;
  events: RecordedEvent[];
}

export const eventsChannel = (prefix: string) => `${prefix}:gw:events`;
export const publishedKey = (prefix: string) => `${prefix}:gw:published`;
const leaderKey = (prefix: string) => `${prefix}:gw:publisher`;

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const ADVANCE = `local c = tonumber(redis.call('get', KEYS[1]) or '0') if tonumber(ARGV[1]) > c then redis.call('set', KEYS[1], ARGV[1]) end return 1`;

export interface PublisherOptions {
  store: EventStore;
  redis: Redis;
  prefix: string;
  nodeId: string;
  logger: Logger;
  leaseMs?: number;
  batchSize?: number;
  /** A stored checkpoint further behind the head than this is not replayed into pub/sub (nodes read gaps from the store). */
  maxBacklog?: number;
  /** Called when this node becomes or stops being the publisher. */
  onLeadership?(leading: boolean): void;
}

/**
 * The one process that follows the event store for the gateways: an ordered subscription from its checkpoint,
 * each batch published on Redis pub/sub for every gateway node. Gateway nodes elect it with a lease in Redis
 * (SET NX PX, renewed by the holder); if it dies, another node takes the lease and carries on from the
 * checkpoint. Pub/sub is at-most-once, so each batch names the position it follows: a node that sees a gap
 * reads the missing events from the store.
 */
export class Publisher {
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private leading = false;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();
  private readonly leaseMs: number;

  constructor(private readonly options: PublisherOptions) {
    this.leaseMs = options.leaseMs ?? 5000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.ticking = this.ticking.then(() => this.tick()).catch((error) => this.options.logger.warn({ err: error }, 'gateway publisher election failed'));
    };
    tick();
    this.timer = setInterval(tick, Math.max(200, Math.floor(this.leaseMs / 3)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await this.resign();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { redis, prefix, nodeId } = this.options;
    if (this.leading) {
      const renewed = await redis.eval(RENEW, 1, leaderKey(prefix), nodeId, this.leaseMs);
      if (renewed !== 1) {
        this.options.logger.warn('gateway publisher lost its lease');
        await this.resign();
      }
      return;
    }
    const won = await redis.set(leaderKey(prefix), nodeId, 'PX', this.leaseMs, 'NX');
    if (won !== 'OK') return;
    try {
      await this.lead();
    } catch (error) {
      // Held but not followed, the lease would keep every node from publishing until it expired.
      await releaseIfOwner(redis, leaderKey(prefix), nodeId).catch(() => undefined);
      throw error;
    }
  }

  private async lead(): Promise<void> {
    const { store, redis, prefix } = this.options;
    const head = await store.headPosition();
    const stored = Number((await redis.get(publishedKey(prefix))) ?? Number.NaN);
    const maxBacklog = this.options.maxBacklog ?? 10_000;
    let after = Number.isFinite(stored) && stored <= head && head - stored <= maxBacklog ? stored : head;
    this.leading = true;
    this.options.onLeadership?.(true);
    this.options.logger.info({ after }, 'gateway publisher following the event store');
    this.subscription = store.subscribeToAll({
      after,
      batchSize: this.options.batchSize ?? 500,
      onEvents: async (events) => {
        const last = events.at(-1)!.position;
        const batch: PublishedBatch = { after, events: events.map(withoutCredentials) };
        await redis
          .multi()
          .publish(eventsChannel(prefix), JSON.stringify(batch))
          .eval(ADVANCE, 1, publishedKey(prefix), last)
          .exec();
        after = last;
      },
      onError: (error) => this.options.logger.warn({ err: error }, 'gateway publisher subscription error'),
    });
  }

  private async resign(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    const wasLeading = this.leading;
    this.leading = false;
    await subscription?.close();
    if (wasLeading) {
      this.options.onLeadership?.(false);
      await releaseIfOwner(this.options.redis, leaderKey(this.options.prefix), this.options.nodeId).catch(() => undefined);
    }
  }
}
