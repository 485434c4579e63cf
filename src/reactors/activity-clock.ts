import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { ACTIVITY_CLOCK_STREAM, activityClockDecider } from '../commands/activity/decide.ts';
import type { CommandHandler, CommandResult } from '../commands/handler.ts';
import { laneQueuePrefix, redisOptions, type RedisConfig } from '../projections/engine/queues.ts';

/** The queue's name, and the one job scheduler on it (one key: every process upserts the same scheduler). */
const QUEUE = 'activity-clock';
const SCHEDULER = 'advance-activity-window';
/** By default the clock moves every hour: `activeMembers` drops a member within the hour their 30 days end. */
export const ACTIVITY_TICK_MS = 60 * 60 * 1000;

export interface ActivityClockOptions {
  redis: RedisConfig;
  /** The Redis key prefix of the deployment (REDIS_PREFIX). */
  prefix: string;
  commands: CommandHandler;
  logger: Logger;
  everyMs?: number;
}

/**
 * Moves the activity clock as time passes (see commands/activity): a repeatable BullMQ job, kept in Redis under
 * one scheduler id, so every process that starts the clock upserts the same schedule (none doubles it, and a
 * restart resumes it), and whichever worker takes a job appends ActivityWindowAdvanced. The time recorded is the
 * start of the job's slot (now rounded down to `everyMs`), so twin jobs of one slot record it once: the clock
 * refuses to move to a time it has reached.
 */
export class ActivityClock {
  readonly everyMs: number;
  private readonly queue: Queue;
  private worker: Worker | undefined;

  constructor(private readonly options: ActivityClockOptions) {
    this.everyMs = options.everyMs ?? ACTIVITY_TICK_MS;
    this.queue = new Queue(QUEUE, { connection: redisOptions(options.redis), prefix: laneQueuePrefix(options.prefix, 'clock') });
  }

  /**
   * Moves the clock to the current slot (so it has caught up once start resolves, and the job BullMQ runs at once
   * for a new schedule finds nothing to record), upserts the schedule and starts this process's worker.
   */
  async start(): Promise<void> {
    await this.advance(this.slotOf(Date.now()));
    await this.queue.upsertJobScheduler(SCHEDULER, { every: this.everyMs }, { name: 'advance', opts: { removeOnComplete: 10, removeOnFail: 50 } });
    if (this.worker) return;
    this.worker = new Worker(QUEUE, async () => void (await this.advance(this.slotOf(Date.now()))), {
      connection: redisOptions(this.options.redis),
      prefix: laneQueuePrefix(this.options.prefix, 'clock'),
      concurrency: 1,
    });
    this.worker.on('error', (error) => this.options.logger.warn({ err: error }, 'activity clock worker error'));
    this.worker.on('failed', (job, error) => this.options.logger.warn({ err: error, jobId: job?.id }, 'activity clock job failed'));
    await this.worker.waitUntilReady();
  }

  /** The schedules in Redis (one, whoever started the clock and however often). */
  async schedules(): Promise<number> {
    return (await this.queue.getJobSchedulers()).length;
  }

  /** The start of the slot `now` falls in. */
  slotOf(now: number): Date {
    return new Date(Math.floor(now / this.everyMs) * this.everyMs);
  }

  /** Moves the clock to `asOf` (nothing when it is there or past it already). */
  async advance(asOf: Date): Promise<CommandResult<unknown>> {
    const id = randomUUID();
    return this.options.commands.execute(
      ACTIVITY_CLOCK_STREAM,
      activityClockDecider,
      { type: 'AdvanceActivityWindow', asOf: asOf.toISOString() },
      { actorId: 'system:activity-clock', correlationId: id, causationId: id },
    );
  }

  /** Stops this process's worker; the schedule stays in Redis for the next start (`unschedule` removes it). */
  async stop(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
    await this.queue.close();
  }

  /** Removes the schedule (for tests and decommissioning). */
  async unschedule(): Promise<void> {
    await this.queue.removeJobScheduler(SCHEDULER);
  }
}
