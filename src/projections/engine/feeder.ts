import type { Logger } from 'pino';
import { withoutCredentials } from '../../events/credentials.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore, Subscription } from '../../events/store/port.ts';
import type { Checkpoints } from './checkpoints.ts';
import type { Lane } from './lane.ts';
import { batchJobId, MAX_BATCH_EVENTS, sleep, type LaneBatch } from './queues.ts';

export interface FeederOptions {
  store: EventStore;
  checkpoints: Checkpoints;
  lanes: readonly Lane[];
  logger: Logger;
  /** Events per job (≤ 500). */
  batchSize?: number;
  /** Delay before retrying a failed add or re-subscribing after a subscription error. */
  retryDelayMs?: number;
  /** Pause after feeding a small batch, so that the next read gathers more events. */
  lingerMs?: number;
}

/**
 * The single ordered subscription feeding every lane. It starts after the lowest checkpoint in Mongo (Redis
 * keeps nothing durable here, so it is never the source of truth for where to resume) and, for each batch,
 * adds a job to each lane that has none waiting, waiting for the adds before taking the next batch.
 *
 * A lane with a job waiting gets no other: that job, once started, applies every event the store holds after the
 * lane's checkpoint (lane.ts), and the batch was in the store before the feeder saw it, so the job takes it. A lane
 * thus holds at most one waiting job, and a lane busy with a job gathers what arrives meanwhile for the next.
 *
 * A paused lane (stopped on an error, or rebuilding) gets no jobs: its backlog would only fill Redis, and
 * resuming it adds a catch-up job that reads (checkpoint, head] from the store.
 */
export class Feeder {
  private subscription: Subscription | undefined;
  private stopped = true;
  private stopSignal: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => {};
  private resubscribeTimer: NodeJS.Timeout | undefined;
  /** Position of the last event fed to every lane: the `after` of the next batch. */
  private fed = 0;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly lingerMs: number;
  private readonly log: Logger;

  constructor(private readonly options: FeederOptions) {
    this.batchSize = Math.min(Math.max(1, options.batchSize ?? MAX_BATCH_EVENTS), MAX_BATCH_EVENTS);
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.lingerMs = options.lingerMs ?? 5;
    this.log = options.logger.child({ component: 'projection-feeder' });
  }

  /** Position of the last batch handed to the lanes. */
  get position(): number {
    return this.fed;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
    this.fed = await this.options.checkpoints.minPosition(this.options.lanes.map((lane) => lane.name));
    this.log.info({ after: this.fed }, 'feeder subscribing after the lowest checkpoint');
    this.subscribe();
  }

  /** Closes the subscription; resolves once no batch is being fed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signalStop();
    clearTimeout(this.resubscribeTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  /**
   * Feeds `events` (in position order, following the previously fed ones) to every lane. Public so that tests
   * can simulate a redelivery; the subscription is its normal caller.
   */
  async feed(events: readonly RecordedEvent[], after = this.fed): Promise<void> {
    let previous = after;
    for (let i = 0; i < events.length; i += this.batchSize) {
      if (this.stopped) return;
      const chunk = events.slice(i, i + this.batchSize);
      const batch: LaneBatch = { after: previous, last: chunk.at(-1)!.position, events: chunk.map(withoutCredentials) };
      const jobId = batchJobId(chunk);
      await Promise.all(this.options.lanes.map((lane) => this.addToLane(lane, batch, jobId)));
      if (this.stopped) return;
      previous = batch.last;
      this.fed = Math.max(this.fed, batch.last);
    }
    // A small batch under a steady stream means one job per event or two; lingering a moment before the next read
    // lets events gather, so each lane job (whose fixed cost is a checkpoint write and a few Redis calls) carries
    // many. An idle stream pays this once, after its event has already been fed.
    if (events.length < this.batchSize / 10) await this.race(sleep(this.lingerMs));
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.subscription = this.options.store.subscribeToAll({
      after: this.fed,
      batchSize: this.batchSize,
      onEvents: (events) => this.feed(events),
      onError: (error) => this.onSubscriptionError(error),
    });
  }

  /** The store failed to deliver: close the subscription and open a new one after the last fed position. */
  private onSubscriptionError(error: unknown): void {
    this.log.warn({ err: error, after: this.fed }, 'event subscription failed; re-subscribing');
    if (this.stopped || this.resubscribeTimer) return;
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = undefined;
      const old = this.subscription;
      this.subscription = undefined;
      void (old?.close() ?? Promise.resolve())
        .catch(() => {})
        .then(() => this.subscribe());
    }, this.retryDelayMs);
  }

  /** Adds the batch to one lane, retrying until it succeeds or the feeder stops. */
  private async addToLane(lane: Lane, batch: LaneBatch, jobId: string): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const added = await this.race(this.addUnlessWaiting(lane, batch, jobId));
        if (added !== 'stopped') return;
      } catch (error) {
        this.log.warn({ err: error, readModel: lane.name, jobId, attempt }, 'could not add a batch to a lane; retrying');
        await this.race(sleep(Math.min(this.retryDelayMs * 2 ** attempt, 10_000)));
      }
    }
  }

  private async addUnlessWaiting(lane: Lane, batch: LaneBatch, jobId: string): Promise<void> {
    if (this.stopped) return;
    if (await lane.isPaused()) return; // see the class comment
    if ((await lane.waitingCount()) > 0) return; // the waiting job will take this batch
    await lane.enqueue(batch, { jobId });
  }

  /** Lets a stop interrupt a wait on Redis (which, with maxRetriesPerRequest null, may last while Redis is down). */
  private race<T>(promise: Promise<T>): Promise<T | 'stopped'> {
    return Promise.race([promise, this.stopSignal.then(() => 'stopped' as const)]);
  }
}
