import type { Checkpoints } from './checkpoints.ts';

interface Waiter {
  name: string;
  position: number;
  resolve(reached: boolean): void;
  timer: NodeJS.Timeout;
}

/** How far each read model has got: what read-your-writes waits on. */
export interface ReadModelProgress {
  waitForPosition(readModel: string, position: number, timeoutMs: number): Promise<boolean>;
  /** The position up to which `readModel` has applied every event (its stored checkpoint). */
  checkpoint(readModel: string): Promise<number>;
}

export interface ProgressOptions {
  /** How often the `_projections` documents are polled while someone waits (workers may run elsewhere). */
  pollIntervalMs?: number;
}

/**
 * Read-your-writes: answers "has read model X applied everything up to position P?". A lane in this process
 * calls `notify` when it advances; lanes in other processes are seen by polling their checkpoint documents,
 * only while there are waiters, and through `observe` when their advances are broadcast
 * (src/projections/documents/lane-advances.ts).
 */
export class Progress {
  private readonly known = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly laneListeners: Array<(name: string, position: number) => void> = [];
  private readonly pollIntervalMs: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;

  constructor(
    private readonly checkpoints: Checkpoints,
    options: ProgressOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
  }

  /** A lane of this process reached `position`: learnt, and told to the `onLaneAdvance` listeners. */
  notify(name: string, position: number): void {
    this.observe(name, position);
    for (const listener of this.laneListeners) listener(name, position);
  }

  /** `name` is known to have reached `position` by other means (its checkpoint read, another process's word). */
  observe(name: string, position: number): void {
    if (position > (this.known.get(name) ?? -1)) this.known.set(name, position);
    for (const waiter of this.waiters) {
      if (waiter.name === name && position >= waiter.position) this.settle(waiter, true);
    }
  }

  /** Calls `listener` each time a lane of this process advances (not for positions merely observed). */
  onLaneAdvance(listener: (name: string, position: number) => void): void {
    this.laneListeners.push(listener);
  }

  /** The highest position `name` is known here to have reached, -1 when none is known yet. */
  position(name: string): number {
    return this.known.get(name) ?? -1;
  }

  /** The stored checkpoint of `name` (0 when none). */
  async checkpoint(name: string): Promise<number> {
    const position = await this.checkpoints.position(name);
    this.observe(name, position);
    return position;
  }

  /**
   * Resolves true as soon as `name` has applied every event up to `position`, false after `timeoutMs`.
   * Never rejects: a failing poll is retried at the next interval.
   */
  waitForPosition(name: string, position: number, timeoutMs: number): Promise<boolean> {
    if ((this.known.get(name) ?? -1) >= position) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        name,
        position,
        resolve,
        timer: setTimeout(() => this.settle(waiter, false), Math.max(0, timeoutMs)),
      };
      this.waiters.add(waiter);
      // Check the stored checkpoint now rather than after the first interval.
      void this.poll();
    });
  }

  /** Releases every waiter (with false) and stops polling. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) this.settle(waiter, false);
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private settle(waiter: Waiter, reached: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(reached);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.polling = true;
    try {
      const names = [...new Set([...this.waiters].map((waiter) => waiter.name))];
      if (names.length === 0) return;
      const docs = await this.checkpoints.getMany(names);
      for (const [name, doc] of docs) this.observe(name, doc.position);
    } catch {
      // Mongo unreachable for a moment: the next tick retries, waiters time out on their own.
    } finally {
      this.polling = false;
      if (this.waiters.size > 0 && !this.closed) {
        this.pollTimer = setTimeout(() => void this.poll(), this.pollIntervalMs);
      }
    }
  }
}
