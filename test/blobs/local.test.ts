import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBlobStore, DEFAULT_BLOB_DIR } from '../../src/blobs/index.ts';
import { LocalBlobStore } from '../../src/blobs/local.ts';
import { readBlob } from '../../src/blobs/port.ts';
import { loadConfig } from '../../src/config.ts';
import { blobStoreContract, INVALID_KEYS } from './contract.ts';

const folder = () => mkdtemp(join(tmpdir(), 'rn-blobs-'));

/** Every file under `dir`, relative, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

blobStoreContract('local', async () => {
  const dir = await folder();
  return { store: new LocalBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('LocalBlobStore', () => {
  it('publishes a put in one step: a concurrent reader sees nothing or the whole blob, and no temporary file is left', async () => {
    const dir = await folder();
    const store = new LocalBlobStore(dir);
    const data = randomBytes(8 * 1024 * 1024);
    const seen: Array<number | null> = [];
    let done = false;
    const writing = store.put('race/big', data, 'application/octet-stream').finally(() => (done = true));
    while (!done) {
      const blob = await store.get('race/big');
      seen.push(blob && (await readBlob(blob)).equals(data) ? blob.size : blob ? -1 : null);
    }
    await writing;
    expect(seen).not.toContain(-1);
    expect((await store.get('race/big'))?.size).toBe(data.length);
    expect(await filesUnder(dir)).toEqual(['race/big~blob']);
    await rm(dir, { recursive: true, force: true });
  });

  it('ignores what a crash mid-put leaves behind (a .tmp-* file no key can name)', async () => {
    const dir = await folder();
    const store = new LocalBlobStore(dir);
    await store.put('crash/kept', Buffer.from('old'), 'text/plain');
    await writeFile(join(dir, 'crash', '.tmp-0000'), 'half a fi');
    expect((await readBlob((await store.get('crash/kept'))!)).toString()).toBe('old');
    await expect(store.get('crash/.tmp-0000')).rejects.toThrow(/invalid blob key/);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes nothing outside its folder, whatever the key', async () => {
    const parent = await folder();
    const dir = join(parent, 'store');
    const store = new LocalBlobStore(dir);
    await store.put('inside', Buffer.from('ok'), 'text/plain');
    for (const bad of INVALID_KEYS) await store.put(bad, Buffer.from('x'), 'text/plain').catch(() => undefined);
    expect(await filesUnder(parent)).toEqual(['store/inside~blob']);
    await rm(parent, { recursive: true, force: true });
  });

  it('refuses a file that is not in its format instead of serving garbage', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'foreign~blob'), 'not a blob file');
    await expect(new LocalBlobStore(dir).get('foreign')).rejects.toThrow(/not in the blob file format/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('createBlobStore', () => {
  it('defaults to a local store in .stack/blobs of the repository, or BLOB_DIR', () => {
    const byDefault = createBlobStore(loadConfig({}));
    expect(byDefault).toBeInstanceOf(LocalBlobStore);
    expect((byDefault as LocalBlobStore).root).toBe(DEFAULT_BLOB_DIR);
    expect(DEFAULT_BLOB_DIR).toBe(join(process.cwd(), '.stack', 'blobs'));
    expect((createBlobStore(loadConfig({ BLOB_DIR: '/tmp/x-blobs' })) as LocalBlobStore).root).toBe('/tmp/x-blobs');
  });

  it('BLOB_STORE=s3 names every missing setting at start-up; bad values fail config validation', () => {
    expect(() => createBlobStore(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'media' }))).toThrow(
      /BLOB_STORE=s3 needs S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/,
    );
    expect(() => loadConfig({ BLOB_STORE: 'ftp' })).toThrow(/BLOB_STORE/);
    expect(() => loadConfig({ S3_ENDPOINT: 'ftp://example.com' })).toThrow(/S3_ENDPOINT/);
    expect(() => loadConfig({ ATTACHMENT_MAX_BYTES: '0' })).toThrow(/ATTACHMENT_MAX_BYTES/);
    expect(loadConfig({}).ATTACHMENT_MAX_BYTES).toBe(25 * 1024 * 1024);
  });
});
