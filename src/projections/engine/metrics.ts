import { Counter, Gauge, type Registry } from 'prom-client';
import type { LaneError, LaneStatus } from './checkpoints.ts';
import type { LaneFamily } from './family.ts';
import type { LaneRetry } from './lane.ts';

/** One read model's state, as `ProjectionEngine.status()` reports it and the gauges expose it. */
export interface ReadModelStatus {
  readModel: string;
  /** Position up to which every event has been applied. */
  checkpoint: number;
  /** Position of the newest event in the store. */
  head: number;
  /** head − checkpoint, in positions (positions may have gaps, so this is not strictly a count of events). */
  lag: number;
  /** waiting + paused + prioritized + active + delayed jobs of the lane queue. */
  queueDepth: number;
  /** `retrying`: this process's worker retries a job because an engine is unavailable; it resumes by itself. */
  status: LaneStatus | 'retrying';
  /** Why a `stopped` lane stopped. */
  error?: LaneError;
  /** What a `retrying` lane is waiting for. */
  retrying?: LaneRetry;
}

const SNAPSHOT_TTL_MS = 250;

/**
 * The projection metrics, registered in the registry handed in (never the global default one). Checkpoint, lag,
 * queue depth and stopped are computed on scrape from one shared snapshot (Mongo + store head + Redis counts),
 * so they are right even when the workers run in another process. The applied counter counts the events applied
 * by the lanes of this process. Another family of lanes has metrics of its own names (`${family.kind}_…`).
 */
export class ProjectionMetrics {
  private readonly eventsApplied: Counter;
  private readonly laneFailures: Counter;
  private readonly gauges: Gauge[];
  private snapshotPromise: Promise<ReadModelStatus[]> | undefined;
  private snapshotAt = 0;

  constructor(
    private readonly registry: Registry,
    private readonly snapshot: () => Promise<ReadModelStatus[]>,
    private readonly family: LaneFamily,
  ) {
    const metrics = this;
    const { kind, label } = family;
    const labelNames = [label];
    const noun = label.replaceAll('_', ' ');
    const gauge = (name: string, help: string, value: (status: ReadModelStatus) => number): Gauge =>
      new Gauge({
        name: `${kind}_${name}`,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          for (const status of await metrics.cachedSnapshot()) this.set({ [label]: status.readModel }, value(status));
        },
      });
    this.gauges = [
      gauge('checkpoint_position', `Global position up to which the ${noun} has applied every event`, (s) => s.checkpoint),
      gauge('lag_events', 'Store head position minus checkpoint (in positions; positions may have gaps)', (s) => s.lag),
      gauge('queue_depth', 'Jobs waiting, active or delayed in the lane queue', (s) => s.queueDepth),
      gauge('stopped', '1 when the lane is stopped on a failed event, else 0', (s) => (s.status === 'stopped' ? 1 : 0)),
      gauge('retrying', 'Failed attempts of the job a lane of this process retries on an unavailable engine, else 0', (s) => s.retrying?.attempts ?? 0),
    ];
    this.eventsApplied = new Counter({
      name: `${kind}_events_applied_total`,
      help: `Events applied to the ${noun} by the lanes of this process`,
      labelNames,
      registers: [registry],
    });
    this.laneFailures = new Counter({
      name: `${kind}_lane_failures_total`,
      help: 'Handler failures that stopped the lane',
      labelNames,
      registers: [registry],
    });
  }

  /** A lane of this process applied `count` events. */
  applied(lane: string, count: number): void {
    this.eventsApplied.inc({ [this.family.label]: lane }, count);
  }

  /** A handler failure stopped a lane of this process. */
  stopped(lane: string): void {
    this.laneFailures.inc({ [this.family.label]: lane });
  }

  /** Removes this engine's metrics from the registry (so a later engine can register them again). */
  unregister(): void {
    for (const metric of [...this.gauges, this.eventsApplied, this.laneFailures]) {
      this.registry.removeSingleMetric((metric as unknown as { name: string }).name);
    }
  }

  /** The gauges of one scrape share one snapshot. */
  private cachedSnapshot(): Promise<ReadModelStatus[]> {
    const now = Date.now();
    if (!this.snapshotPromise || now - this.snapshotAt > SNAPSHOT_TTL_MS) {
      this.snapshotAt = now;
      this.snapshotPromise = this.snapshot().catch((error: unknown) => {
        this.snapshotPromise = undefined;
        throw error;
      });
    }
    return this.snapshotPromise;
  }
}
