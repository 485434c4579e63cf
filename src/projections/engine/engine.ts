import { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventCatalogue } from '../../events/catalogue.ts';
import type { EventStore } from '../../events/store/port.ts';
import { isTransientError, type Backoff } from '../../engines/transient.ts';
import { Checkpoints, type CheckpointDoc } from './checkpoints.ts';
import { READ_MODELS, type LaneFamily } from './family.ts';
import { Feeder } from './feeder.ts';
import { ensureIndexes } from './indexes.ts';
import { Lane } from './lane.ts';
import { ProjectionMetrics, type ReadModelStatus } from './metrics.ts';
import { Progress } from './progress.ts';
import { redisOptions, withTimeout, type RedisConfig } from './queues.ts';
import { upcasting, type ReadModel } from './read-model.ts';
import { rebuildReadModel, type RebuildOptions, type RebuildResult } from './rebuild.ts';

export interface ProjectionEngineOptions {
  store: EventStore;
  db: Db;
  redis: RedisConfig;
  /** Namespaces the lane queues: `${prefix}:projection:${readModel}` (`projection` being the family's kind). */
  prefix: string;
  readModels: ReadModel[];
  /** What the lanes serve: read models by default (see family.ts). */
  family?: LaneFamily;
  /** Upcasts each event before a read model sees it. */
  catalogue: EventCatalogue;
  logger: Logger;
  /** Where the projection metrics are registered (never the global default registry implicitly). */
  registry: Registry;
  /** Events per job (≤ 500): per fed batch, and per page a lane reads from the store. */
  batchSize?: number;
  /** Poll interval of waitForPosition when the lane runs in another process. */
  pollIntervalMs?: number;
  /** stop(): how long a worker may finish its current job before being forced. */
  stopTimeoutMs?: number;
  /** Waits between the retries of a lane job failing on an unavailable engine. Default 100 ms doubling to 5 s. */
  retryBackoff?: Backoff;
}

export interface StartOptions {
  /** Run this process's lane workers (one per read model). */
  runWorkers?: boolean;
  /** Run the feeder (run it in exactly one process). */
  runFeeder?: boolean;
}

/**
 * The projection engine: one feeder (ordered subscription → one BullMQ job per lane per batch), one ordered lane
 * per read model (worker, concurrency 1), checkpoints in Mongo `_projections`, read-your-writes, metrics, rebuild.
 */
export class ProjectionEngine {
  readonly checkpoints: Checkpoints;
  readonly progress: Progress;
  readonly metrics: ProjectionMetrics;
  private readonly lanes = new Map<string, Lane>();
  private readonly readModels = new Map<string, ReadModel>();
  private readonly queueRedis: Redis;
  private readonly log: Logger;
  private feeder: Feeder | undefined;
  private readonly rebuilding = new Set<string>();
  private started = false;
  private stopping: Promise<void> | undefined;
  /** The checkpoint documents last read, for status() while Mongo is unreachable. */
  private lastCheckpoints = new Map<string, CheckpointDoc>();
  private readonly family: LaneFamily;

  constructor(private readonly options: ProjectionEngineOptions) {
    this.log = options.logger.child({ component: 'projection-engine' });
    this.family = options.family ?? READ_MODELS;
    for (const readModel of options.readModels) {
      if (readModel.name.includes(':')) throw new Error(`read model name ${readModel.name} must not contain ':'`);
      if (this.readModels.has(readModel.name)) throw new Error(`read model ${readModel.name} is registered twice`);
      this.readModels.set(readModel.name, upcasting(readModel, options.catalogue));
    }
    this.checkpoints = new Checkpoints(options.db, this.family.checkpoints);
    this.progress = new Progress(this.checkpoints, { pollIntervalMs: options.pollIntervalMs });
    this.metrics = new ProjectionMetrics(options.registry, () => this.status(), this.family);
    // One connection shared by every lane queue; each worker opens its own (BullMQ needs a blocking one).
    this.queueRedis = new Redis(redisOptions(options.redis));
    this.queueRedis.on('error', (error) => this.log.warn({ err: error }, 'redis connection error'));
    for (const readModel of this.readModels.values()) {
      this.lanes.set(
        readModel.name,
        new Lane({
          readModel,
          store: options.store,
          db: options.db,
          checkpoints: this.checkpoints,
          queueConnection: this.queueRedis,
          prefix: options.prefix,
          family: this.family,
          logger: options.logger,
          onAdvance: (name, position) => this.progress.notify(name, position),
          onApplied: (name, count) => this.metrics.applied(name, count),
          onStopped: (name) => this.metrics.stopped(name),
          retryBackoff: options.retryBackoff,
          pageSize: options.batchSize,
        }),
      );
    }
  }

  /**
   * Ensures indexes and checkpoint documents, reconciles each queue's paused flag with its Mongo status (Redis
   * may have lost it), then starts the workers and the feeder.
   */
  async start({ runWorkers = true, runFeeder = true }: StartOptions = {}): Promise<void> {
    if (this.started) throw new Error('projection engine already started');
    this.started = true;
    const names = [...this.readModels.keys()];
    await ensureIndexes(this.options.db, [...this.readModels.values()]);
    const head = await this.options.store.headPosition();
    for (const readModel of this.readModels.values()) {
      await this.checkpoints.ensure([readModel.name], (readModel.startsAt ?? this.family.startsAt) === 'head' ? head : 0);
    }
    const docs = await this.checkpoints.getMany(names);
    this.lastCheckpoints = docs;
    for (const lane of this.lanes.values()) {
      const status = docs.get(lane.name)?.status ?? 'running';
      const paused = await lane.isPaused();
      if (status !== 'running' && !paused) await lane.pause();
      // Running in Mongo but paused in Redis: a process died between marking it running and resuming it.
      if (status === 'running' && paused) await lane.queue.resume();
    }
    if (runWorkers) {
      for (const lane of this.lanes.values()) {
        await lane.startWorker(redisOptions(this.options.redis));
        // Cheap when up to date; otherwise it catches up even if the feeder runs elsewhere and Redis lost jobs.
        if (docs.get(lane.name)?.status === 'running') await lane.enqueueCatchUp();
      }
    }
    // Without lanes a feeder would read the whole log for nobody.
    if (runFeeder && this.lanes.size > 0) {
      this.feeder = new Feeder({
        store: this.options.store,
        checkpoints: this.checkpoints,
        lanes: [...this.lanes.values()],
        logger: this.options.logger,
        batchSize: this.options.batchSize,
      });
      await this.feeder.start();
    }
    this.log.info({ readModels: names, runWorkers, runFeeder }, 'projection engine started');
  }

  /** Graceful and bounded: the feeder's subscription first, then the workers, then the queues. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const timeout = this.options.stopTimeoutMs ?? 10_000;
    if (this.feeder) {
      const closed = await withTimeout(this.feeder.stop().then(() => true), timeout, false);
      if (!closed) this.log.warn('feeder did not stop in time');
    }
    await Promise.all([...this.lanes.values()].map((lane) => lane.stopWorker(timeout)));
    this.progress.close();
    await Promise.all([...this.lanes.values()].map((lane) => lane.closeQueue()));
    await withTimeout(this.queueRedis.quit().then(() => undefined), 2_000, undefined);
    this.queueRedis.disconnect();
    this.metrics.unregister();
    this.log.info('projection engine stopped');
  }

  /** True as soon as `readModel` has applied everything up to `position`; false after `timeoutMs`. */
  waitForPosition(readModel: string, position: number, timeoutMs: number): Promise<boolean> {
    this.readModel(readModel);
    return this.progress.waitForPosition(readModel, position, timeoutMs);
  }

  /** The stored checkpoint of `readModel`. */
  checkpoint(readModel: string): Promise<number> {
    this.readModel(readModel);
    return this.progress.checkpoint(readModel);
  }

  /**
   * Per read model: checkpoint, head, lag, queue depth, status and the error that stopped it, if any. A lane of
   * this process retrying a job on an unavailable engine is `retrying`, with its attempts and last error. While
   * Mongo is unreachable (when no lane can advance), the checkpoints are the last ones read.
   */
  async status(): Promise<ReadModelStatus[]> {
    const names = [...this.readModels.keys()];
    const [head, docs, depths] = await Promise.all([
      this.options.store.headPosition(),
      this.checkpointDocs(names),
      Promise.all(names.map((name) => this.lane(name).queueDepth())),
    ]);
    return names.map((name, i) => {
      const doc = docs.get(name);
      const checkpoint = doc?.position ?? 0;
      const retrying = this.lane(name).retrying;
      const status = doc?.status ?? 'running';
      return {
        readModel: name,
        checkpoint,
        head,
        lag: Math.max(0, head - checkpoint),
        queueDepth: depths[i] ?? 0,
        status: retrying && status === 'running' ? 'retrying' : status,
        ...(doc?.error ? { error: doc.error } : {}),
        ...(retrying ? { retrying } : {}),
      };
    });
  }

  private async checkpointDocs(names: readonly string[]): Promise<Map<string, CheckpointDoc>> {
    try {
      this.lastCheckpoints = await this.checkpoints.getMany(names);
    } catch (error) {
      if (!isTransientError(error)) throw error;
    }
    return this.lastCheckpoints;
  }

  /** Rebuilds `readModel` from position 0 into fresh collections and swaps them in (see rebuild.ts). */
  async rebuild(readModel: string, options: RebuildOptions = {}): Promise<RebuildResult> {
    const model = this.readModel(readModel);
    if (this.rebuilding.has(readModel)) throw new Error(`read model ${readModel} is already being rebuilt by this process`);
    this.rebuilding.add(readModel);
    try {
      return await rebuildReadModel(
        model,
        { db: this.options.db, store: this.options.store, checkpoints: this.checkpoints, lane: this.lane(readModel), logger: this.options.logger },
        options,
      );
    } finally {
      this.rebuilding.delete(readModel);
    }
  }

  /**
   * Clears a stop: status `running`, error removed, queue resumed, and a catch-up job from the checkpoint, so
   * the lane retries the event it failed on and carries on.
   */
  async resume(readModel: string): Promise<void> {
    this.readModel(readModel);
    const doc = await this.checkpoints.get(readModel);
    if (doc?.status === 'rebuilding') throw new Error(`read model ${readModel} is being rebuilt; it resumes when the rebuild ends`);
    await this.checkpoints.markRunning(readModel);
    await this.lane(readModel).resume();
    this.log.info({ readModel, from: doc?.position ?? 0 }, 'lane resumed');
  }

  /** The lane of a read model (its queue; for operators and tests). */
  lane(readModel: string): Lane {
    const lane = this.lanes.get(readModel);
    if (!lane) throw new Error(`unknown read model ${readModel}`);
    return lane;
  }

  /** The feeder, when this process runs it. */
  get feed(): Feeder | undefined {
    return this.feeder;
  }

  private readModel(name: string): ReadModel {
    const readModel = this.readModels.get(name);
    if (!readModel) throw new Error(`unknown read model ${name}`);
    return readModel;
  }
}
