import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { LocalBlobStore } from './local.ts';
import type { BlobStore } from './port.ts';
import { S3BlobStore } from './s3.ts';

export type { BlobStore, StoredBlob } from './port.ts';

/** The default local blob folder: .stack/blobs in the repository (ignored by git, like the rest of .stack). */
export const DEFAULT_BLOB_DIR = fileURLToPath(new URL('../../.stack/blobs', import.meta.url));

/** The blob store the configuration asks for (BLOB_STORE=local|s3); throws at start-up if S3 settings are missing. */
export function createBlobStore(config: Config): BlobStore {
  if (config.BLOB_STORE === 'local') return new LocalBlobStore(config.BLOB_DIR ?? DEFAULT_BLOB_DIR);
  const required = {
    S3_ENDPOINT: config.S3_ENDPOINT,
    S3_BUCKET: config.S3_BUCKET,
    S3_ACCESS_KEY_ID: config.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: config.S3_SECRET_ACCESS_KEY,
  };
  const missing = Object.entries(required).filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) throw new Error(`invalid configuration:\n  BLOB_STORE=s3 needs ${missing.join(', ')}`);
  return new S3BlobStore({
    endpoint: required.S3_ENDPOINT!,
    bucket: required.S3_BUCKET!,
    region: config.S3_REGION,
    accessKeyId: required.S3_ACCESS_KEY_ID!,
    secretAccessKey: required.S3_SECRET_ACCESS_KEY!,
  });
}
