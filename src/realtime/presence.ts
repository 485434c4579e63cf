import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CommandHandler } from '../commands/handler.ts';
import { userDecider, userStream } from '../commands/users/decide.ts';

export interface PresenceOptions {
  redis: Redis;
  commands: CommandHandler;
  prefix: string;
  nodeId: string;
  logger: Logger;
  /** A user whose last socket closed goes offline this long after (unless a socket opens again). */
  graceMs: number;
  /** How long a connection entry lives without being refreshed (a crashed node's entries lapse after it). */
  entryTtlMs?: number;
}

/**
 * Connection-driven presence across gateway nodes. Every open socket of a user is an entry in a Redis sorted set
 * (score: expiry, refreshed by its node); the user is connected while any entry lives. Transitions are recorded as
 * `SetConnected` commands on the user's stream (UserPresenceChanged events, which the read models and the gateway
 * pick up like any other): at once when a socket opens, after the grace period when the last one closes. A
 * reconcile re-reads the count after its command, so concurrent nodes converge on the truth. The publisher node
 * also sweeps: users recorded as connected whose entries all lapsed (their node died) go offline.
 */
export class PresenceTracker {
  private readonly local = new Map<string, string>(); // connection id → user id
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly entryTtlMs: number;

  constructor(private readonly options: PresenceOptions) {
    this.entryTtlMs = options.entryTtlMs ?? 30_000;
  }

  private key(userId: string): string {
    return `${this.options.prefix}:gw:conn:${userId}`;
  }
  private get connectedKey(): string {
    return `${this.options.prefix}:gw:connected`;
  }
  private get droppedKey(): string {
    return `${this.options.prefix}:gw:dropped`;
  }

  start(): void {
    this.refreshTimer = setInterval(() => void this.refresh(), Math.floor(this.entryTtlMs / 3));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Our sockets are gone: drop their entries (the sweeper, on whichever node publishes, records the offlines).
    const pipeline = this.options.redis.pipeline();
    const now = Date.now();
    for (const [connectionId, userId] of this.local) {
      pipeline.zrem(this.key(userId), this.member(connectionId));
      pipeline.hset(this.droppedKey, userId, now);
    }
    this.local.clear();
    await pipeline.exec().catch(() => undefined);
    await Promise.allSettled([...this.running.values()]);
  }

  private member(connectionId: string): string {
    return `${this.options.nodeId}:${connectionId}`;
  }

  async connected(userId: string, connectionId: string): Promise<void> {
    this.local.set(connectionId, userId);
    await this.options.redis.zadd(this.key(userId), Date.now() + this.entryTtlMs, this.member(connectionId));
    this.reconcile(userId);
  }

  async disconnected(userId: string, connectionId: string): Promise<void> {
    if (!this.local.delete(connectionId)) return;
    await this.options.redis.multi().zrem(this.key(userId), this.member(connectionId)).hset(this.droppedKey, userId, Date.now()).exec();
    this.later(userId, this.options.graceMs);
  }

  /** Whether the socket `member` (`<nodeId>:<connectionId>`) of the user is alive: its entry is still refreshed. */
  async isLive(userId: string, member: string): Promise<boolean> {
    const expiry = await this.options.redis.zscore(this.key(userId), member);
    return expiry !== null && Number(expiry) >= Date.now();
  }

  /** On the publisher node: users recorded as connected whose every entry lapsed go offline. */
  async sweep(): Promise<void> {
    const { redis } = this.options;
    const users = await redis.smembers(this.connectedKey);
    if (users.length === 0) return;
    // One round trip for every user's lapsed entries, then a reconcile each.
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (const userId of users) pipeline.zremrangebyscore(this.key(userId), '-inf', now);
    await pipeline.exec();
    for (const userId of users) this.reconcile(userId);
  }

  private later(userId: string, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reconcile(userId);
    }, ms);
    this.timers.add(timer);
  }

  private async refresh(): Promise<void> {
    if (this.local.size === 0) return;
    const pipeline = this.options.redis.pipeline();
    const expiry = Date.now() + this.entryTtlMs;
    for (const [connectionId, userId] of this.local) pipeline.zadd(this.key(userId), expiry, this.member(connectionId));
    await pipeline.exec().catch((error) => this.options.logger.warn({ err: error }, 'presence refresh failed'));
  }

  /** Brings the user's recorded connection state in line with their live entries; one run per user at a time. */
  reconcile(userId: string): void {
    if (this.stopped) return;
    if (this.running.has(userId)) {
      this.again.add(userId);
      return;
    }
    const run = this.reconcileOnce(userId)
      .catch((error) => this.options.logger.warn({ err: error, userId }, 'presence reconcile failed'))
      .finally(() => {
        this.running.delete(userId);
        if (this.again.delete(userId)) this.reconcile(userId);
      });
    this.running.set(userId, run);
  }

  private async reconcileOnce(userId: string): Promise<void> {
    const { redis, commands, graceMs } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now();
      const live = await redis.zcount(this.key(userId), now, '+inf');
      const connected = live > 0;
      if (!connected) {
        const dropped = Number((await redis.hget(this.droppedKey, userId)) ?? 0);
        const wait = dropped + graceMs - now;
        if (wait > 0) {
          this.later(userId, wait);
          return;
        }
      }
      await commands.execute(
        userStream(userId),
        userDecider,
        { type: 'SetConnected', connected, at: new Date().toISOString() },
        { actorId: userId, correlationId: `gateway-${this.options.nodeId}`, causationId: `presence-${userId}` },
      );
      if (connected) await redis.sadd(this.connectedKey, userId);
      else await redis.multi().srem(this.connectedKey, userId).hdel(this.droppedKey, userId).exec();
      // Another node may have changed the entries meanwhile: done only if the count still agrees.
      const after = await redis.zcount(this.key(userId), Date.now(), '+inf');
      if (after > 0 === connected) return;
    }
  }
}
