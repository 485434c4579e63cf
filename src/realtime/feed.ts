import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import type { EventStore } from '../events/store/port.ts';
import { eventsChannel, publishedKey, type PublishedBatch } from './publisher.ts';
import { readUpTo } from './read-range.ts';

/** Runs async tasks one at a time, in the order they were pushed. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  get length(): number {
    return this.pending;
  }

  push<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.tail.then(task);
    this.tail = run.then(
      () => void this.pending--,
      () => void this.pending--,
    );
    return run;
  }

  /** Resolves once every task pushed so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}

export interface FeedOptions {
  store: EventStore;
  catalogue: EventCatalogue;
  /** A connection of its own: in subscriber mode it can do nothing else. */
  subscriber: Redis;
  /** For reading the publisher's checkpoint. */
  redis: Redis;
  prefix: string;
  logger: Logger;
  queue: SerialQueue;
  /** Applies events (upcast, in position order, none twice) on the queue; `more`: other tasks are already waiting. */
  apply(events: RecordedEvent[], more: boolean): Promise<void>;
  /** Writes frames held back by `apply(…, more)`. */
  flush(): void;
  /** Pending batches beyond which incoming ones are dropped and read back from the store instead. */
  maxPending?: number;
  /** How often to compare our position with the publisher's checkpoint (catches batches lost by pub/sub). */
  checkIntervalMs?: number;
}

/**
 * A gateway node's ordered view of the event store, fed by the publisher over Redis pub/sub. Every event is
 * applied exactly once, in position order: a batch is checked against the position the node has reached; events
 * it already has are skipped, and a gap (a batch lost while Redis was unreachable, a publisher failover, or batches
 * dropped because this node fell behind) is filled by reading the store.
 */
export class EventFeed {
  /** Position of the last event applied. */
  position = 0;
  private highWater = 0;
  /** Batch tasks queued or running (attach tasks in the same queue are not counted). */
  private batches = 0;
  private lastMessageAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly maxPending: number;

  constructor(private readonly options: FeedOptions) {
    this.maxPending = options.maxPending ?? 2000;
  }

  async start(): Promise<void> {
    const { subscriber, prefix, store } = this.options;
    this.position = await store.headPosition();
    this.highWater = this.position;
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() === eventsChannel(prefix)) this.receive(message);
    });
    await subscriber.subscribe(eventsChannel(prefix));
    const interval = this.options.checkIntervalMs ?? 1000;
    this.timer = setInterval(() => void this.check(interval), interval);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.options.queue.idle();
  }

  private receive(message: Buffer): void {
    if (this.stopped) return;
    this.lastMessageAt = Date.now();
    let batch: PublishedBatch;
    try {
      batch = JSON.parse(message.toString()) as PublishedBatch;
    } catch (error) {
      this.options.logger.error({ err: error }, 'gateway feed: unreadable batch');
      return;
    }
    const last = batch.events.at(-1)?.position ?? batch.after;
    if (this.options.queue.length >= this.maxPending) {
      // Too far behind to hold more in memory: remember how far the stream went, read it from the store later.
      this.highWater = Math.max(this.highWater, last);
      return;
    }
    void this.task(() => this.consume(batch, last)).catch((error) => this.options.logger.error({ err: error }, 'gateway feed: applying a batch failed'));
  }

  private task(run: () => Promise<void>): Promise<void> {
    this.batches++;
    return this.options.queue.push(() =>
      run().finally(() => {
        // The last batch out writes whatever earlier ones held back.
        if (--this.batches === 0) this.options.flush();
      }),
    );
  }

  private async consume(batch: PublishedBatch, last: number): Promise<void> {
    if (batch.after > this.position) await this.fill(batch.after);
    const fresh = batch.events.filter((e) => e.position > this.position);
    if (fresh.length > 0) await this.applyInOrder(fresh);
    this.highWater = Math.max(this.highWater, last);
    if (this.highWater > this.position && this.options.queue.length <= 1) await this.fill(this.highWater);
  }

  /** Reads and applies the events after our position up to `to` (inclusive) from the store. */
  private async fill(to: number): Promise<void> {
    if (this.stopped) return;
    for await (const page of readUpTo(this.options.store, this.position, to)) {
      await this.applyInOrder(page);
      if (this.stopped) return;
    }
  }

  private async applyInOrder(events: RecordedEvent[]): Promise<void> {
    const upcasted = events.map((e) => this.options.catalogue.upcast(e));
    await this.options.apply(upcasted, this.batches > 1);
    this.position = upcasted.at(-1)!.position;
  }

  /** Catches batches that never arrived: the publisher's checkpoint is ahead and nothing came for a while. */
  private async check(interval: number): Promise<void> {
    if (this.stopped || this.options.queue.length > 0 || Date.now() - this.lastMessageAt < interval) return;
    try {
      const published = Number((await this.options.redis.get(publishedKey(this.options.prefix))) ?? 0);
      const target = Math.max(published, this.highWater);
      if (target > this.position) {
        await this.task(() => this.fill(target));
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'gateway feed: checkpoint check failed');
    }
  }
}
