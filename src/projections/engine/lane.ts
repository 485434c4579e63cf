import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/store/port.ts';
import { isTransientError, retryWhileTransient, type Backoff } from '../../engines/transient.ts';
import type { Checkpoints } from './checkpoints.ts';
import { liveContext } from './context.ts';
import { READ_MODELS, type LaneFamily } from './family.ts';
import { laneQueueName, laneQueuePrefix, MAX_BATCH_EVENTS, withTimeout, type LaneBatch } from './queues.ts';
import { applyEvents, type ProjectionContext, type ReadModel } from './read-model.ts';

export interface LaneOptions {
  readModel: ReadModel;
  store: EventStore;
  db: Db;
  checkpoints: Checkpoints;
  /** Connection for the queue (may be a shared ioredis instance). */
  queueConnection: ConnectionOptions;
  /** Engine prefix; the queue is `${prefix}:${family.kind}:${readModel.name}`. */
  prefix: string;
  /** Read models by default. */
  family?: LaneFamily;
  logger: Logger;
  /** Called after the checkpoint moved (read-your-writes notification). */
  onAdvance?(readModel: string, position: number): void;
  /** Called with the number of events applied by a job. */
  onApplied?(readModel: string, count: number): void;
  /** Called when a handler failure stopped the lane. */
  onStopped?(readModel: string): void;
  /** Attempts for jobs failing, other than in a handler, with an error that is not transient. Default 5. */
  attempts?: number;
  /** Waits between the retries of a job failing on an unavailable engine. Default 100 ms doubling to 5 s. */
  retryBackoff?: Backoff;
  /** Events read from the store at a time, and between two checkpoint writes of a long catch-up (≤ 500, the default). */
  pageSize?: number;
  /**
   * Least time between the starts of two jobs (default 20 ms): a job that follows another closely waits out the
   * rest, and takes every event that arrived meanwhile. A job after a quiet spell starts at once.
   */
  minJobIntervalMs?: number;
}

export const DEFAULT_MIN_JOB_INTERVAL_MS = 20;

/** A lane retrying a job because an engine is unavailable: since when, how many attempts failed, the last error. */
export interface LaneRetry {
  attempts: number;
  since: Date;
  error: string;
}

export interface LaneJobResult {
  applied: number;
  checkpoint: number;
  skipped?: 'behind-checkpoint' | 'lane-not-running';
}

/** The handler of `event` threw; carries the position up to which the job had applied events. */
export class HandlerFailure extends Error {
  constructor(
    readonly event: RecordedEvent,
    readonly appliedUpTo: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'HandlerFailure';
  }
}

/**
 * One read model's ordered lane: its BullMQ queue and (optionally) its worker, with concurrency 1 here and a
 * global concurrency of 1 across processes. For each job the worker applies, in order, every event the store holds
 * after its checkpoint (the job's own events where they follow on from it; a job lost, failed or reordered in Redis
 * never makes the lane skip), then advances the checkpoint once: a job carries whatever arrived since the last one.
 */
export class Lane {
  readonly name: string;
  readonly queueName: string;
  private readonly pageSize: number;
  private readonly kind: string;
  readonly queue: Queue<LaneBatch, LaneJobResult>;
  private worker: Worker<LaneBatch, LaneJobResult> | undefined;
  private readonly ctx: ProjectionContext;
  private readonly log: Logger;
  private retryState: LaneRetry | undefined;
  /** Aborted when the worker stops: cuts short a job waiting for an engine to come back. */
  private closing = new AbortController();
  /** When the last job started (performance.now()), for minJobIntervalMs. */
  private lastJobStartedAt = -Infinity;

  constructor(private readonly options: LaneOptions) {
    this.name = options.readModel.name;
    this.kind = (options.family ?? READ_MODELS).kind;
    this.queueName = laneQueueName(options.prefix, this.name, this.kind);
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_BATCH_EVENTS), MAX_BATCH_EVENTS);
    this.log = options.logger.child({ readModel: this.name });
    this.ctx = liveContext(options.db, options.readModel);
    this.queue = new Queue<LaneBatch, LaneJobResult>(this.name, {
      connection: options.queueConnection,
      prefix: laneQueuePrefix(options.prefix, this.kind),
      defaultJobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: 'exponential', delay: 200 },
        // Completed jobs stay a little while so that a duplicate feed of the same range is deduplicated by id.
        removeOnComplete: { age: 300, count: 200 },
        removeOnFail: { count: 100 },
      },
    });
    this.queue.on('error', (error) => this.log.warn({ err: error }, 'lane queue connection error'));
  }

  /** Adds a batch. `lifo` puts it at the head of the queue (catch-up jobs). */
  async enqueue(batch: LaneBatch, options: { jobId?: string; lifo?: boolean } = {}): Promise<void> {
    await this.queue.add('batch', batch, {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.lifo ? { lifo: true } : {}),
    });
  }

  /**
   * Adds a job that makes the lane read (checkpoint, head] from the store, ahead of any waiting job. Its id is
   * unique: a deterministic one would be swallowed by a kept failed job of an earlier catch-up over the same
   * range (resume, fail again, fix, resume), leaving the lane behind until the next event.
   */
  async enqueueCatchUp(): Promise<void> {
    const [checkpoint, head] = await Promise.all([this.options.checkpoints.position(this.name), this.options.store.headPosition()]);
    if (head <= checkpoint) return;
    const jobId = `catchup-${checkpoint}-${head}-${randomUUID()}`;
    await this.enqueue({ after: checkpoint, last: head, events: [] }, { jobId, lifo: true });
  }

  /** Set while this process's worker retries a job because an engine is unavailable. */
  get retrying(): LaneRetry | undefined {
    return this.retryState;
  }

  async isPaused(): Promise<boolean> {
    return this.queue.isPaused();
  }

  async pause(): Promise<void> {
    await this.queue.pause();
  }

  /** Resumes the queue, then adds a catch-up job (in that order, so a batch the feeder skipped while paused is covered). */
  async resume(): Promise<void> {
    await this.queue.resume();
    await this.enqueueCatchUp();
  }

  /** waiting + paused + prioritized + active + delayed. */
  async queueDepth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'paused', 'prioritized', 'active', 'delayed');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** Number of jobs waiting to be fed to the worker (for the feeder's high-water mark). */
  async waitingCount(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  /** Waits until no job of this lane is active (after a pause), or throws after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.queue.getActiveCount()) > 0) {
      if (Date.now() > deadline) throw new Error(`lane ${this.name}: a job is still active after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Starts this process's worker for the lane. */
  async startWorker(connection: ConnectionOptions): Promise<void> {
    if (this.worker) return;
    this.closing = new AbortController();
    // Concurrency 1 per worker is not enough when several processes run workers: the lane is ordered globally.
    await this.queue.setGlobalConcurrency(1);
    this.worker = new Worker<LaneBatch, LaneJobResult>(this.name, (job) => this.process(job), {
      connection,
      prefix: laneQueuePrefix(this.options.prefix, this.kind),
      concurrency: 1,
      autorun: true,
      // With global concurrency 1, a job left active by a killed process blocks the lane until BullMQ declares
      // it stalled; short locks make a restarted lane resume within seconds rather than a minute.
      lockDuration: 5_000,
      stalledInterval: 2_500,
    });
    this.worker.on('error', (error) => this.log.warn({ err: error }, 'lane worker error'));
    this.worker.on('failed', (job, error) => {
      if (error instanceof UnrecoverableError || error.name === 'UnrecoverableError') return; // logged already
      this.log.warn({ err: error, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'lane job failed; it will be retried');
    });
    await this.worker.waitUntilReady();
  }

  /** Closes the worker: waits for the active job up to `timeoutMs`, then forces. */
  async stopWorker(timeoutMs = 10_000): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    this.closing.abort();
    const closed = await withTimeout(worker.close().then(() => true), timeoutMs, false);
    if (!closed) {
      this.log.warn({ timeoutMs }, 'lane worker did not finish its job in time; forcing close');
      await withTimeout(worker.close(true), 2_000, undefined);
    }
  }

  async closeQueue(timeoutMs = 5_000): Promise<void> {
    await withTimeout(this.queue.close(), timeoutMs, undefined);
  }

  /**
   * The job processor (public for tests and benchmarks). A job failing because an engine is down, restarting or
   * timing out is retried here, with backoff, until the engine is back (or the worker stops): re-applying is
   * safe, every write being guarded by position. Only an error that would recur on the same event stops the lane.
   */
  async process(job: Pick<Job<LaneBatch>, 'data' | 'id'>): Promise<LaneJobResult> {
    await this.paced();
    try {
      const result = await retryWhileTransient(() => this.applyJob(job), {
        backoff: this.options.retryBackoff,
        signal: this.closing.signal,
        onRetry: (error, attempts, delayMs) => this.retryingAfter(error, attempts, delayMs, job.id),
      });
      if (this.retryState) this.log.info({ jobId: job.id, attempts: this.retryState.attempts }, 'lane recovered; job applied');
      return result;
    } finally {
      this.retryState = undefined;
    }
  }

  /** Waits until minJobIntervalMs after the previous job's start (cut short when the worker stops). */
  private async paced(): Promise<void> {
    const wait = this.lastJobStartedAt + (this.options.minJobIntervalMs ?? DEFAULT_MIN_JOB_INTERVAL_MS) - performance.now();
    if (wait > 0) await delay(wait, undefined, { signal: this.closing.signal }).catch(() => {});
    this.lastJobStartedAt = performance.now();
  }

  private retryingAfter(error: unknown, attempts: number, delayMs: number, jobId: string | undefined): void {
    this.retryState = { attempts, since: this.retryState?.since ?? new Date(), error: error instanceof Error ? error.message : String(error) };
    // The first failure and then one in ten: an outage of minutes would otherwise flood the log.
    if (attempts === 1 || attempts % 10 === 0) {
      this.log.warn({ err: error, jobId, attempts, delayMs }, 'lane job failed on an unavailable engine; retrying');
    }
  }

  private async applyJob(job: Pick<Job<LaneBatch>, 'data' | 'id'>): Promise<LaneJobResult> {
    const batch = job.data;
    const doc = await this.options.checkpoints.get(this.name);
    const start = doc?.position ?? 0;
    if (doc && doc.status !== 'running') {
      // Stopped or rebuilding: the queue should be paused already (Redis may have lost the flag). Nothing is
      // lost by completing this job unapplied: resume and rebuild catch up from the store.
      await this.queue.pause();
      this.log.info({ jobId: job.id, status: doc.status }, 'lane not running; job left unapplied and queue paused');
      return { applied: 0, checkpoint: start, skipped: 'lane-not-running' };
    }

    let applied = 0;
    let appliedUpTo = start;
    const applyOneByOne = async (events: readonly RecordedEvent[]): Promise<void> => {
      for (const event of events) {
        try {
          await this.options.readModel.apply(event, this.ctx);
        } catch (error) {
          throw new HandlerFailure(event, appliedUpTo, error);
        }
        appliedUpTo = event.position;
        applied++;
      }
    };
    const applyAll = async (events: readonly RecordedEvent[]): Promise<void> => {
      const fresh = events.filter((event) => event.position > appliedUpTo);
      if (fresh.length === 0) return;
      if (!this.options.readModel.applyBatch) return applyOneByOne(fresh);
      try {
        await applyEvents(this.options.readModel, fresh, this.ctx);
        appliedUpTo = fresh.at(-1)!.position;
        applied += fresh.length;
      } catch (error) {
        if (isTransientError(error)) throw error;
        // Find the event that fails, one at a time: guarded writes make re-applying the batch's prefix a no-op.
        await applyOneByOne(fresh);
      }
    };

    try {
      // 1. The job's own events, when they follow on from the checkpoint: no store read for them.
      if (batch.events.length > 0 && batch.after <= appliedUpTo && batch.last > appliedUpTo) {
        await applyAll(batch.events);
        appliedUpTo = batch.last;
      }
      // 2. Everything else the store holds after that, a page at a time (checkpoint per full page, so that a long
      //    catch-up shows progress): a hole before the job (a job lost, failed or reordered in Redis), a catch-up,
      //    and every event that arrived while the job waited. The feeder adds no job to a lane that has one waiting
      //    (feeder.ts), so the jobs of a busy stream carry many events each however the stream is paced.
      for (;;) {
        const page = await this.options.store.readAll({ after: appliedUpTo, maxCount: this.pageSize });
        await applyAll(page);
        appliedUpTo = page.at(-1)?.position ?? appliedUpTo;
        if (page.length < this.pageSize || this.closing.signal.aborted) break;
        await this.advance(appliedUpTo);
      }
      if (appliedUpTo === start) return { applied: 0, checkpoint: start, skipped: 'behind-checkpoint' };
      await this.advance(appliedUpTo);
      return { applied, checkpoint: appliedUpTo };
    } catch (error) {
      if (error instanceof HandlerFailure && !isTransientError(error.cause)) await this.stop(error);
      throw error;
    } finally {
      if (applied > 0) this.options.onApplied?.(this.name, applied);
    }
  }

  private async advance(position: number): Promise<void> {
    await this.options.checkpoints.advance(this.name, position);
    this.options.onAdvance?.(this.name, position);
  }

  /** A handler failed: record it, pause the lane, and fail the job for good. Never skips the event. */
  private async stop(failure: HandlerFailure): Promise<never> {
    const { event } = failure;
    this.log.error(
      { err: failure.cause, eventId: event.id, position: event.position, eventType: event.type, streamId: event.streamId },
      'projection handler failed; lane stopped',
    );
    this.options.onStopped?.(this.name);
    try {
      // Recorded even if Mongo is away for a moment: a lane paused in Redis but `running` in Mongo would look
      // healthy while it applies nothing.
      const error = { eventId: event.id, position: event.position, message: failure.message, at: new Date() };
      await retryWhileTransient(() => this.options.checkpoints.markStopped(this.name, error, failure.appliedUpTo), {
        backoff: this.options.retryBackoff,
        signal: this.closing.signal,
      });
      if (failure.appliedUpTo > 0) this.options.onAdvance?.(this.name, failure.appliedUpTo);
    } catch (error) {
      // The checkpoint stays before the failed event, so the next job retries it: still nothing is skipped.
      this.log.error({ err: error }, 'could not record the stopped lane in _projections');
    }
    try {
      await this.queue.pause();
    } catch (error) {
      this.log.error({ err: error }, 'could not pause the lane queue');
    }
    throw new UnrecoverableError(
      `read model ${this.name}: handler failed on event ${event.id} at position ${event.position}: ${failure.message}`,
    );
  }
}
