import type { Readable } from 'node:stream';

/** A stored blob as read back: its bytes as a stream (read it or destroy it), its content type and byte size. */
export interface StoredBlob {
  stream: Readable;
  contentType: string;
  size: number;
}

/**
 * Where uploaded bytes live (attachments today). Keys are chosen by the application, never by clients, and are
 * validated by every adapter with `assertValidBlobKey`. A `put` is all-or-nothing: a reader sees either the
 * previous blob or the complete new one, never part of one. `delete` is idempotent.
 */
export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The blob, or null when there is none under `key`. */
  get(key: string): Promise<StoredBlob | null>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class InvalidBlobKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key.slice(0, 100))}: ${reason}`);
    this.name = 'InvalidBlobKeyError';
  }
}

// A segment starts with a letter, digit, `_` or `-` (so never `.`, `..` or a hidden/temporary file name) and
// holds only URL- and filesystem-safe characters; segments are joined by single `/`.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const MAX_KEY_LENGTH = 512;
const MAX_SEGMENTS = 8;

/** Throws InvalidBlobKeyError unless `key` is `seg(/seg)*` of safe segments: no traversal, no absolute paths. */
export function assertValidBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  const segments = key.split('/');
  if (segments.length > MAX_SEGMENTS) throw new InvalidBlobKeyError(key, `more than ${MAX_SEGMENTS} segments`);
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidBlobKeyError(key, 'each /-separated segment must match [A-Za-z0-9_-][A-Za-z0-9._-]{0,127}');
    }
  }
}

/** Reads a blob's whole stream into memory (tests, small blobs). */
export async function readBlob(blob: StoredBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of blob.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** A MIME type as stored with a blob: `type/subtype` with optional parameters, printable ASCII, ≤ 255 characters. */
export function assertValidContentType(contentType: string): void {
  if (typeof contentType !== 'string' || contentType.length > 255 || !/^[\w.+-]+\/[\w.+-]+(;[ -~]*)?$/.test(contentType)) {
    throw new Error(`invalid content type ${JSON.stringify(String(contentType).slice(0, 100))}`);
  }
}
