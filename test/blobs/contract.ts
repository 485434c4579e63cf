import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidBlobKeyError, readBlob, type BlobStore } from '../../src/blobs/port.ts';

export const INVALID_KEYS = [
  '',
  '../escape',
  'a/../../escape',
  'a/./b',
  '/absolute',
  'trailing/',
  'a//b',
  'back\\slash',
  '..',
  '.hidden',
  'nul\0byte',
  'space here',
  'percent%2e%2e',
  'unicodé',
  `${'x'.repeat(129)}`,
  Array.from({ length: 9 }, () => 's').join('/'),
];

/**
 * The behaviour every BlobStore adapter must have. Keys are unique per test (random suffixes), so the suite also
 * runs against a bucket or folder that other runs share.
 */
export function blobStoreContract(name: string, setup: () => Promise<{ store: BlobStore; cleanup(): Promise<void> }>) {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await setup());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const key = (label = 'blob') => `contract/${label}-${randomUUID()}`;
    const read = async (k: string) => {
      const blob = await store.get(k);
      return blob && { data: await readBlob(blob), contentType: blob.contentType, size: blob.size };
    };

    it('gives back what was put: the bytes, the content type and the size', async () => {
      const k = key();
      await store.put(k, Buffer.from('hello blobs'), 'text/plain');
      expect(await read(k)).toEqual({ data: Buffer.from('hello blobs'), contentType: 'text/plain', size: 11 });
    });

    it('answers null for a key that was never put', async () => {
      expect(await store.get(key('missing'))).toBeNull();
      expect(await store.get(`${key('missing')}/deeper`)).toBeNull();
    });

    it('round-trips every byte value, and an empty blob', async () => {
      const all = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      const [k1, k2] = [key(), key()];
      await store.put(k1, all, 'application/octet-stream');
      await store.put(k2, Buffer.alloc(0), 'application/octet-stream');
      expect((await read(k1))?.data.equals(all)).toBe(true);
      expect(await read(k2)).toEqual({ data: Buffer.alloc(0), contentType: 'application/octet-stream', size: 0 });
    });

    it('streams a multi-megabyte blob back intact', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const k = key('large');
      await store.put(k, data, 'video/mp4');
      const blob = await store.get(k);
      expect(blob?.size).toBe(data.length);
      let chunks = 0;
      const parts: Buffer[] = [];
      for await (const chunk of blob!.stream) {
        chunks += 1;
        parts.push(chunk as Buffer);
      }
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      expect(chunks).toBeGreaterThan(1);
    });

    it('keeps content types with parameters', async () => {
      const k = key();
      await store.put(k, Buffer.from('x'), 'text/plain; charset=utf-8');
      expect((await read(k))?.contentType).toBe('text/plain; charset=utf-8');
    });

    it('a second put of a key replaces the bytes and the content type', async () => {
      const k = key();
      await store.put(k, Buffer.from('first version, longer'), 'text/plain');
      await store.put(k, Buffer.from('second'), 'application/octet-stream');
      expect(await read(k)).toEqual({ data: Buffer.from('second'), contentType: 'application/octet-stream', size: 6 });
    });

    it('deletes; deleting again, or a key never put, is not an error', async () => {
      const k = key();
      await store.put(k, Buffer.from('to be deleted'), 'text/plain');
      await store.delete(k);
      expect(await store.get(k)).toBeNull();
      await store.delete(k);
      await store.delete(key('never'));
    });

    it('keeps a key and the keys below it apart (`a` and `a/b`), as S3 does', async () => {
      const k = key('parent');
      await store.put(k, Buffer.from('parent'), 'text/plain');
      await store.put(`${k}/child`, Buffer.from('child'), 'text/plain');
      expect((await read(k))?.data.toString()).toBe('parent');
      expect((await read(`${k}/child`))?.data.toString()).toBe('child');
      await store.delete(k);
      expect((await read(`${k}/child`))?.data.toString()).toBe('child');
    });

    it('accepts nested keys of safe characters', async () => {
      const k = `contract/A-Z_0.9/${randomUUID()}/file.name_with-dots.bin`;
      await store.put(k, Buffer.from('nested'), 'application/octet-stream');
      expect((await read(k))?.data.toString()).toBe('nested');
    });

    it('refuses keys that could escape the store or are malformed, on put, get and delete alike', async () => {
      for (const bad of INVALID_KEYS) {
        await expect(store.put(bad, Buffer.from('x'), 'text/plain'), JSON.stringify(bad)).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.get(bad), JSON.stringify(bad)).rejects.toBeInstanceOf(InvalidBlobKeyError);
        await expect(store.delete(bad), JSON.stringify(bad)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      }
    });

    it('refuses a malformed content type', async () => {
      for (const bad of ['', 'text', 'text/plain\r\nx-injected: 1', 'a'.repeat(300) + '/b']) {
        await expect(store.put(key(), Buffer.from('x'), bad)).rejects.toThrow(/content type/);
      }
    });

    it('takes many concurrent puts of different keys', async () => {
      const items = Array.from({ length: 24 }, (_, i) => ({ k: key(`c${i}`), data: randomBytes(1000 + i) }));
      await Promise.all(items.map(({ k, data }) => store.put(k, data, 'application/octet-stream')));
      const back = await Promise.all(items.map(({ k }) => read(k)));
      back.forEach((blob, i) => expect(blob?.data.equals(items[i]!.data)).toBe(true));
    });
  });
}
