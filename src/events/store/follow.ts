import type { EventToAppend, RecordedEvent } from '../envelope.ts';
import type { SubscribeOptions, Subscription } from './port.ts';

const DEFAULT_BATCH = 1000;

export function assertNotEmpty(events: EventToAppend[]): void {
  if (events.length === 0) throw new RangeError('an append needs at least one event');
}

/**
 * Delivers the events after a checkpoint to one subscriber, pulling them through `read`. `wake()` says that
 * new events may be there; a wake that arrives while a pass is running schedules one more pass, so reads never
 * overlap and no append is missed. The checkpoint only moves once a handler call has resolved.
 */
export class Follower implements Subscription {
  private checkpoint: number;
  private pass: Promise<void> | undefined;
  private wokenDuringPass = false;
  private closed = false;

  constructor(
    private readonly read: (after: number, maxCount: number) => Promise<RecordedEvent[]>,
    private readonly options: SubscribeOptions,
  ) {
    this.checkpoint = options.after;
  }

  wake(): void {
    if (this.closed) return;
    if (this.pass) {
      this.wokenDuringPass = true;
      return;
    }
    this.pass = this.drain().finally(() => {
      this.pass = undefined;
      if (this.wokenDuringPass) this.wake();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pass;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed) {
        this.wokenDuringPass = false;
        const batch = await this.read(this.checkpoint, this.options.batchSize ?? DEFAULT_BATCH);
        const last = batch.at(-1);
        if (!last || this.closed) return;
        await this.options.onEvents(batch);
        this.checkpoint = last.position;
      }
    } catch (error) {
      // The checkpoint stays put: the same events are read again at the next wake.
      this.options.onError?.(error);
    }
  }
}

/** Keeps everything in process memory; for unit tests. Events are copied in and out, so callers cannot alter them. */
/**
 * The subscriptions an adapter has handed out, so that `close()` can end them all; each handle removes itself
 * when its subscriber closes it.
 */
export class SubscriptionRegistry<S extends Subscription> {
  private readonly open = new Set<S>();

  track(subscription: S): Subscription {
    this.open.add(subscription);
    return {
      close: async () => {
        this.open.delete(subscription);
        await subscription.close();
      },
    };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
    this.open.clear();
  }
}
