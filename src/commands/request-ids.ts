import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../events/ids.ts';

const digest = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('\n')).digest();

/**
 * The ids and random draws of one request sent with an `Idempotency-Key`, derived from its key's record (a random
 * seed and the time of the first claim), so a retry after a crash reproduces every id its first attempt used:
 * the same message id, and event ids the store already holds if that attempt got as far as appending.
 * The n-th draw and the n-th append to a stream always get the same values, whatever ran in between.
 */
export class RequestIds {
  private draws = 0;
  private readonly appends = new Map<string, number>();

  constructor(
    private readonly seed: string,
    private readonly startedAt: Date,
    /** An earlier attempt with this key may have appended already (the key's record was taken over). */
    readonly resumed: boolean,
  ) {}

  /** An ObjectId hex: the first claim's second, then 8 bytes of the next draw. */
  objectId(): string {
    const id = Buffer.alloc(12);
    id.writeUInt32BE(Math.floor(this.startedAt.getTime() / 1000) >>> 0);
    this.draw().copy(id, 4, 0, 8);
    return id.toString('hex');
  }

  /** The next number in [0, 1), for what would otherwise be `Math.random()`. */
  fraction(): number {
    return this.draw().readUIntBE(0, 6) / 2 ** 48;
  }

  /** The next `count` (at most 32) unpredictable bytes, for what would otherwise be `randomBytes(count)`. */
  bytes(count: number): Buffer {
    if (count > 32) throw new RangeError('at most 32 bytes per draw');
    return this.draw().subarray(0, count);
  }

  /** The event ids of this request's next append to `streamId`: ids(i) is the i-th event's (a UUID, version 8). */
  nextAppend(streamId: string): (index: number) => string {
    const nth = (this.appends.get(streamId) ?? 0) + 1;
    this.appends.set(streamId, nth);
    return (index) => {
      const bytes = digest(this.seed, 'append', streamId, nth, index).subarray(0, 16);
      bytes[6] = (bytes[6]! & 0x0f) | 0x80;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
  }

  private draw(): Buffer {
    return digest(this.seed, 'draw', this.draws++);
  }
}

/** What carries a request's ids: a CommandContext. Without an Idempotency-Key there are none, and ids are random. */
interface WithIds {
  ids?: RequestIds;
}

export const idFor = (context: WithIds): string => context.ids?.objectId() ?? newId();
export const randomFor = (context: WithIds): number => context.ids?.fraction() ?? Math.random();
export const randomBytesFor = (context: WithIds, count: number): Buffer => context.ids?.bytes(count) ?? randomBytes(count);
