import { BSON } from 'mongodb';
import { BoundedLru, type LruBounds } from './lru.ts';

/** What the cache knows of the read models' progress: the projection engine's Progress. */
export interface PositionSource {
  /** The highest position `readModel` is known here to have applied every event up to, -1 when none is known. */
  position(readModel: string): number;
  waitForPosition(readModel: string, position: number, timeoutMs: number): Promise<boolean>;
}

export interface DocumentCacheOptions extends LruBounds {
  /** An entry is read again after this long even when no advance of its read model was heard (default 2 s). */
  maxAgeMs?: number;
}

interface Entry {
  value: unknown;
  /** A position its read model had reached before the value was read: the value shows every event up to it. */
  asOf: number;
  at: number;
}

/** What `read` answers when the read model did not reach the position asked for in time. */
export const NOT_REACHED: unique symbol = Symbol('not reached');

/**
 * Read-model documents (or small query results) kept in process, keyed by read model and key, each stamped with a
 * position its read model had reached before it was read. An entry is served only while that stamp is still the
 * newest position known here for its read model: any advance of the lane (seen here, broadcast from another process,
 * or read from its checkpoint while a request waits for it) retires every entry of that read model at once. A
 * request asking for a position waits until the read model is known to have reached it, so an entry it is served
 * always shows every event up to that position: read-your-writes stays exact whatever the cache holds. Entries also
 * expire after `maxAgeMs`, which bounds what a lost broadcast can cost readers that ask for no position. Values are
 * frozen: every reader shares them.
 */
export class DocumentCache {
  private readonly entries: BoundedLru<string, Entry>;
  private readonly filling = new Map<string, { asOf: number; value: Promise<unknown> }>();
  private readonly counts = { hits: 0, misses: 0 };
  private readonly maxAgeMs: number;

  constructor(
    private readonly progress: PositionSource,
    private readonly options: DocumentCacheOptions,
  ) {
    this.entries = new BoundedLru(options);
    this.maxAgeMs = options.maxAgeMs ?? 2_000;
  }

  /**
   * The value `load` reads for `key` of `readModel`, as of at least position `atLeast` (0 for none): from the cache
   * when it holds it for the newest position known, else loaded (once for concurrent readers) and kept. NOT_REACHED
   * when the read model has not reached `atLeast` within `timeoutMs`.
   */
  async read<T>(readModel: string, key: string, atLeast: number, timeoutMs: number, load: () => Promise<T>): Promise<T | typeof NOT_REACHED> {
    if (this.progress.position(readModel) < atLeast && !(await this.progress.waitForPosition(readModel, atLeast, timeoutMs))) {
      return NOT_REACHED;
    }
    if (this.options.maxEntries < 1) return load();
    const asOf = this.progress.position(readModel);
    const cacheKey = `${readModel}\u0000${key}`;
    const entry = this.entries.get(cacheKey);
    if (entry && entry.asOf === asOf && Date.now() - entry.at < this.maxAgeMs) {
      this.counts.hits++;
      return entry.value as T;
    }
    const pending = this.filling.get(cacheKey);
    if (pending && pending.asOf === asOf) return pending.value as Promise<T>;
    this.counts.misses++;
    const fill = { asOf, value: this.fill(cacheKey, asOf, load) };
    this.filling.set(cacheKey, fill);
    try {
      return (await fill.value) as T;
    } finally {
      if (this.filling.get(cacheKey) === fill) this.filling.delete(cacheKey);
    }
  }

  private async fill<T>(cacheKey: string, asOf: number, load: () => Promise<T>): Promise<T> {
    const value = deepFreeze(await load());
    const kept = this.entries.get(cacheKey);
    // A fill that started earlier may end later: the value read as of the newer position stays.
    if (!kept || kept.asOf <= asOf) this.entries.set(cacheKey, { value, asOf, at: Date.now() }, BSON.calculateObjectSize({ value }));
    return value;
  }

  /** Entries held, their estimated bytes, and reads served from the cache or loaded since the start. */
  stats(): { entries: number; bytes: number; hits: number; misses: number } {
    return { entries: this.entries.size, bytes: this.entries.bytes, ...this.counts };
  }
}

/** Freezes plain objects and arrays all the way down (class instances such as ObjectId and Date are left as they are). */
function deepFreeze<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
    Object.freeze(value);
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
