export interface LruBounds {
  /** At most this many entries. */
  maxEntries: number;
  /** At most this many bytes, as the sizes given to `set` add up; an entry above a sixteenth of it is not kept. */
  maxBytes: number;
}

interface Sized<V> {
  value: V;
  bytes: number;
}

/** A map bounded by entry count and total size, evicting the least recently used entries first. */
export class BoundedLru<K, V> {
  private readonly entries = new Map<K, Sized<V>>();
  private totalBytes = 0;

  constructor(private readonly bounds: LruBounds) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The value of `key`, which becomes the most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` (of `bytes`) as the most recently used, then evicts down to the bounds. Returns whether it was kept. */
  set(key: K, value: V, bytes: number): boolean {
    this.delete(key);
    if (bytes > this.bounds.maxBytes / 16 || this.bounds.maxEntries < 1) return false;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.bounds.maxEntries && this.totalBytes <= this.bounds.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
    return true;
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
