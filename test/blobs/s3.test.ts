import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore } from '../../src/blobs/index.ts';
import { S3BlobStore, S3Error, signS3Request } from '../../src/blobs/s3.ts';
import { loadConfig } from '../../src/config.ts';
import { blobStoreContract } from './contract.ts';

// s3rver: a third-party S3-compatible server (path-style and virtual-host buckets, S3's XML errors). It checks
// that the access key exists but does not verify SigV4 signatures, so signing is pinned separately below
// against AWS's published examples. Set S3_ENDPOINT (+ S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
// S3_REGION) to also run the contract against a real service (MinIO, R2, AWS).
const BUCKET = 'rn-test-blobs';
let server: S3rver;
let directory: string;
let endpoint: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'rn-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

const storeFor = (overrides: Partial<ConstructorParameters<typeof S3BlobStore>[0]> = {}) =>
  new S3BlobStore({ endpoint, bucket: BUCKET, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', ...overrides });

blobStoreContract('s3 (s3rver)', async () => {
  const store = storeFor();
  return { store, cleanup: () => store.close() };
});

describe('S3BlobStore', () => {
  it('addresses objects path-style, <endpoint>/<bucket>/<key>, also under an endpoint path prefix', async () => {
    const store = storeFor();
    await store.put('path-style/probe', Buffer.from('probe'), 'text/plain');
    const anonymous = await fetch(`${endpoint}/${BUCKET}/path-style/probe`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toBe('probe');
    const prefixed = storeFor({ endpoint: `${endpoint}/` });
    expect((await prefixed.get('path-style/probe'))?.size).toBe(5);
  });

  it("surfaces the service's errors (missing bucket, unknown access key) as S3Error with S3's code", async () => {
    await expect(storeFor({ bucket: 'no-such-bucket' }).put('k', Buffer.from('x'), 'text/plain')).rejects.toMatchObject({
      name: 'S3Error',
      status: 404,
      code: 'NoSuchBucket',
    });
    const wrongKey = storeFor({ accessKeyId: 'NOT-A-KEY' }).get('k');
    await expect(wrongKey).rejects.toBeInstanceOf(S3Error);
    await expect(wrongKey).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('refuses a bucket name S3 would refuse and a non-http endpoint', () => {
    expect(() => storeFor({ bucket: '../etc' })).toThrow(/bucket/);
    expect(() => storeFor({ endpoint: 'file:///tmp' })).toThrow(/endpoint/);
  });

  it('BLOB_STORE=s3 builds it from the S3_* settings', () => {
    const s3 = { S3_ENDPOINT: endpoint, S3_BUCKET: BUCKET, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };
    const config = loadConfig({ BLOB_STORE: 's3', ...s3 });
    expect(createBlobStore(config)).toBeInstanceOf(S3BlobStore);
  });
});

describe('SigV4 signing (AWS S3 documentation, "Signature Calculations for the Authorization Header" examples)', () => {
  const credentials = { region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const signature = (headers: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(headers.Authorization ?? '')?.[1];

  it('PUT object', () => {
    const headers = signS3Request(
      'PUT',
      new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
      { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      Buffer.from('Welcome to Amazon S3.'),
      credentials,
    );
    expect(headers['x-amz-content-sha256']).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    expect(headers.Authorization).toContain('SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class');
    expect(signature(headers)).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('GET bucket lifecycle and GET bucket (list objects)', () => {
    const get = (url: string) => signS3Request('GET', new URL(url), { 'x-amz-date': '20130524T000000Z' }, undefined, credentials);
    expect(signature(get('https://examplebucket.s3.amazonaws.com/?lifecycle'))).toBe(
      'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    );
    expect(signature(get('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'))).toBe(
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });

  it('leaves Host to fetch (it sends the same host:port it was signed with)', () => {
    const headers = signS3Request('GET', new URL('http://127.0.0.1:9000/bucket/key'), {}, undefined, credentials);
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('host');
    expect(headers.Authorization).toContain('SignedHeaders=host;');
  });
});

const external = process.env.S3_ENDPOINT;
describe.skipIf(!external)('s3 (S3_ENDPOINT)', () => {
  blobStoreContract(`s3 (${external})`, async () => {
    const store = createBlobStore(loadConfig({ ...process.env, BLOB_STORE: 's3' }));
    return { store, cleanup: () => store.close() };
  });
});
