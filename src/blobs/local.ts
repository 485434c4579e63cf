import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { assertValidBlobKey, assertValidContentType, type BlobStore, type StoredBlob } from './port.ts';

// File layout: MAGIC, the header's length (uint32 BE), the header as JSON ({ contentType }), then the bytes.
// Keeping the content type inside the one file means a single rename publishes data and metadata together.
const MAGIC = Buffer.from('RNB1');
const PREFIX = MAGIC.length + 4;
const MAX_HEADER = 4096;
// Blob files end with a suffix that no key segment may contain, so a key `a` (a file) and a key `a/b` (which
// needs a directory `a`) never collide, exactly as in S3.
const FILE_SUFFIX = '~blob';

const code = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Blobs as files under one folder. A put writes a temporary file in the target's folder, flushes it, renames it
 * over the target and flushes the folder: a crash leaves either the old blob or the new one, plus at worst a
 * `.tmp-*` file that no key can name (key segments never start with a dot).
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    assertValidBlobKey(key);
    const path = join(this.root, ...key.split('/')) + FILE_SUFFIX;
    // Defence in depth: the key grammar already rules out traversal.
    if (!path.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const path = this.pathOf(key);
    assertValidContentType(contentType);
    const header = Buffer.from(JSON.stringify({ contentType }));
    const prefix = Buffer.alloc(PREFIX);
    MAGIC.copy(prefix);
    prefix.writeUInt32BE(header.length, MAGIC.length);

    const folder = dirname(path);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.tmp-${randomUUID()}`);
    let file: FileHandle | undefined;
    try {
      file = await open(temporary, 'wx', 0o640);
      await file.writev([prefix, header, data]);
      await file.datasync();
      await file.close();
      file = undefined;
      await rename(temporary, path);
    } catch (error) {
      await file?.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncFolder(folder);
  }

  async get(key: string): Promise<StoredBlob | null> {
    const path = this.pathOf(key);
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return null;
      throw error;
    }
    try {
      // Reading through the open handle: a concurrent delete or overwrite cannot change what this read returns.
      const { size: fileSize } = await file.stat();
      const prefix = Buffer.alloc(PREFIX);
      await file.read(prefix, 0, PREFIX, 0);
      const headerLength = prefix.readUInt32BE(MAGIC.length);
      if (!prefix.subarray(0, MAGIC.length).equals(MAGIC) || headerLength > MAX_HEADER || PREFIX + headerLength > fileSize) {
        throw new Error(`blob ${key} is not in the blob file format`);
      }
      const header = Buffer.alloc(headerLength);
      await file.read(header, 0, headerLength, PREFIX);
      const { contentType } = JSON.parse(header.toString('utf8')) as { contentType: string };
      const start = PREFIX + headerLength;
      const size = fileSize - start;
      // An empty range would make createReadStream read to the end of the file; give it an empty stream instead.
      if (size === 0) {
        await file.close();
        return { stream: Readable.from([]), contentType, size };
      }
      return { stream: file.createReadStream({ start, autoClose: true }), contentType, size };
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw error;
    }
  }

  async close(): Promise<void> {}
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic there.
    if (code(error) !== 'EINVAL' && code(error) !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
