import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DocumentCache, NOT_REACHED } from '../../../src/projections/documents/cache.ts';
import { Checkpoints } from '../../../src/projections/engine/checkpoints.ts';
import { Progress } from '../../../src/projections/engine/progress.ts';
import { MONGO_URL } from '../../support/engines.ts';

let client: MongoClient;
let db: Db;
let checkpoints: Checkpoints;
let progress: Progress;
beforeAll(async () => {
  client = await MongoClient.connect(MONGO_URL);
  db = client.db(`t_document_cache_${randomBytes(4).toString('hex')}`);
  checkpoints = new Checkpoints(db);
  await checkpoints.ensure(['revolts', 'users'], 0);
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});
beforeEach(() => {
  progress?.close();
  progress = new Progress(checkpoints, { pollIntervalMs: 10 });
});

const bounds = { maxEntries: 100, maxBytes: 1024 * 1024 };

/** A loader counting its calls, answering `value()` as it is when called. */
function loader<T>(value: () => T) {
  const load = async () => {
    load.calls++;
    return value();
  };
  load.calls = 0;
  return load;
}

describe('the document cache', () => {
  it('answers from memory while its read model does not advance, and loads again once it does', async () => {
    const cache = new DocumentCache(progress, bounds);
    let name = 'Before';
    const load = loader(() => ({ id: 'r1', name }));
    progress.notify('revolts', 10);
    expect(await cache.read('revolts', 'r1', 0, 1000, load)).toEqual({ id: 'r1', name: 'Before' });
    expect(await cache.read('revolts', 'r1', 0, 1000, load)).toEqual({ id: 'r1', name: 'Before' });
    expect(load.calls).toBe(1);

    name = 'After';
    progress.notify('users', 11); // another read model's lane: nothing of revolts changes
    expect(await cache.read('revolts', 'r1', 0, 1000, load)).toEqual({ id: 'r1', name: 'Before' });
    progress.notify('revolts', 12);
    expect(await cache.read('revolts', 'r1', 0, 1000, load)).toEqual({ id: 'r1', name: 'After' });
    expect(load.calls).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2, entries: 1 });
  });

  it('never answers a read asking for a position with a value read before its read model reached it', async () => {
    const cache = new DocumentCache(progress, bounds);
    let name = 'Old';
    const load = loader(() => ({ name }));
    progress.notify('revolts', 5);
    expect(await cache.read('revolts', 'r1', 0, 1000, load)).toEqual({ name: 'Old' });

    // The write at 7 is applied (the document changes) and the lane's advance reaches this process 50 ms later.
    name = 'New';
    setTimeout(() => progress.notify('revolts', 7), 50);
    expect(await cache.read('revolts', 'r1', 7, 5000, load)).toEqual({ name: 'New' });
    expect(load.calls).toBe(2);
  });

  it('learns a position reached by a lane elsewhere from the stored checkpoint while a read waits for it', async () => {
    const cache = new DocumentCache(progress, bounds);
    const load = loader(() => ({ name: 'x' }));
    await checkpoints.advance('users', 40);
    expect(await cache.read('users', 'u1', 40, 5000, load)).toEqual({ name: 'x' });
    expect(progress.position('users')).toBe(40);
  });

  it('answers NOT_REACHED, without loading, when the read model does not reach the position in time', async () => {
    const cache = new DocumentCache(progress, bounds);
    const load = loader(() => ({}));
    expect(await cache.read('revolts', 'r1', 1_000_000, 50, load)).toBe(NOT_REACHED);
    expect(load.calls).toBe(0);
  });

  it('does not keep, as current, a value whose load began before an advance', async () => {
    const cache = new DocumentCache(progress, bounds);
    progress.notify('revolts', 20);
    let release!: () => void;
    const slow = loader(() => new Promise<{ name: string }>((resolve) => (release = () => resolve({ name: 'read at 20' }))));
    const first = cache.read('revolts', 'r1', 0, 1000, slow);
    await new Promise((resolve) => setTimeout(resolve, 10));
    progress.notify('revolts', 21); // applied while the read was under way
    release();
    expect(await first).toEqual({ name: 'read at 20' });
    const fresh = loader(() => ({ name: 'read at 21' }));
    expect(await cache.read('revolts', 'r1', 0, 1000, fresh)).toEqual({ name: 'read at 21' });
    expect(fresh.calls).toBe(1);
  });

  it('loads once for concurrent readers of the same key', async () => {
    const cache = new DocumentCache(progress, bounds);
    progress.notify('users', 3);
    const load = loader(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { id: 'u1' };
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.read('users', 'u1', 0, 1000, load)));
    expect(answers.every((answer) => answer === answers[0])).toBe(true);
    expect(load.calls).toBe(1);
  });

  it('hands out frozen values, so that no reader can change what the others are served', async () => {
    const cache = new DocumentCache(progress, bounds);
    progress.notify('users', 1);
    const user = (await cache.read('users', 'u1', 0, 1000, async () => ({ stats: { followers: 1 }, roles: ['a'] })))!;
    expect(() => {
      (user as { stats: { followers: number } }).stats.followers = 2;
    }).toThrow(TypeError);
    expect(() => (user as { roles: string[] }).roles.push('b')).toThrow(TypeError);
  });

  it('stays within its entry and byte bounds, and keeps no document above a sixteenth of the bytes', async () => {
    const cache = new DocumentCache(progress, { maxEntries: 5, maxBytes: 4096 });
    progress.notify('users', 1);
    for (let i = 0; i < 50; i++) await cache.read('users', `u${i}`, 0, 1000, async () => ({ id: `u${i}`, bio: 'x'.repeat(100) }));
    expect(cache.stats().entries).toBe(5);
    expect(cache.stats().bytes).toBeLessThanOrEqual(4096);

    const tight = new DocumentCache(progress, { maxEntries: 100, maxBytes: 2048 });
    for (let i = 0; i < 50; i++) await tight.read('users', `u${i}`, 0, 1000, async () => ({ id: `u${i}`, bio: 'x'.repeat(80) }));
    expect(tight.stats().bytes).toBeLessThanOrEqual(2048);
    expect(tight.stats().entries).toBeLessThan(50);
    const big = loader(() => ({ bio: 'x'.repeat(200) }));
    await tight.read('users', 'big', 0, 1000, big);
    await tight.read('users', 'big', 0, 1000, big);
    expect(big.calls).toBe(2);
  });

  it('with no room for entries, loads every read (the cache turned off), still as of the position asked for', async () => {
    const cache = new DocumentCache(progress, { maxEntries: 0, maxBytes: 0 });
    progress.notify('revolts', 2);
    const load = loader(() => ({}));
    await cache.read('revolts', 'r1', 0, 1000, load);
    await cache.read('revolts', 'r1', 0, 1000, load);
    expect(load.calls).toBe(2);
    expect(await cache.read('revolts', 'r1', 3, 30, load)).toBe(NOT_REACHED);
    expect(cache.stats().entries).toBe(0);
  });
});
