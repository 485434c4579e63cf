import aws4 from 'aws4';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { assertValidBlobKey, assertValidContentType, type BlobStore, type StoredBlob } from './port.ts';

export interface S3Options {
  /** Base URL of the S3-compatible service, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bound on each request up to its response headers (a download's body then streams without a bound). */
  timeoutMs?: number;
}

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Signs an S3 request with AWS Signature Version 4 (aws4). The payload hash is computed here and sent as
 * `x-amz-content-sha256`, so the body is part of the signature and aws4 adds no headers of its own choosing.
 * Returns the headers to send (Host is left to fetch, which derives the same value from the URL).
 */
export function signS3Request(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  options: Pick<S3Options, 'region' | 'accessKeyId' | 'secretAccessKey'>,
): Record<string, string> {
  const request = {
    host: url.host,
    path: url.pathname + url.search,
    method,
    service: 's3',
    region: options.region,
    headers: { ...headers, 'x-amz-content-sha256': headers['x-amz-content-sha256'] ?? sha256(body ?? '') },
  };
  const signed = aws4.sign(request, { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (name.toLowerCase() !== 'host') out[name] = String(value);
  }
  return out;
}

/**
 * Blobs as objects of one bucket of an S3-compatible service (AWS S3, MinIO, Cloudflare R2, ...), spoken to over
 * fetch with path-style URLs (`<endpoint>/<bucket>/<key>`), which every such service accepts. An S3 PUT is
 * atomic: the object appears whole or not at all.
 */
export class S3BlobStore implements BlobStore {
  private readonly base: URL;

  constructor(private readonly options: S3Options) {
    this.base = new URL(options.endpoint);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error('S3 endpoint must be an http(s) URL');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) throw new Error(`invalid S3 bucket name ${options.bucket}`);
  }

  private urlOf(key: string): URL {
    assertValidBlobKey(key);
    const prefix = this.base.pathname.replace(/\/+$/, '');
    // Key characters are all unreserved in URLs, so the key needs no encoding and signs as it is sent.
    return new URL(`${this.base.origin}${prefix}/${this.options.bucket}/${key}`);
  }

  private async send(method: 'PUT' | 'GET' | 'DELETE', url: URL, headers: Record<string, string> = {}, body?: Buffer) {
    const signed = signS3Request(method, url, headers, body, this.options);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`S3 ${method} ${url.pathname} timed out`)), this.options.timeoutMs ?? 30_000);
    try {
      return await fetch(url, { method, headers: signed, body, signal: controller.signal, redirect: 'error' });
    } finally {
      clearTimeout(timer);
    }
  }

  private async failure(method: string, key: string, response: Response): Promise<S3Error> {
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP${response.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? response.statusText;
    return new S3Error(response.status, code, `S3 ${method} ${this.options.bucket}/${key} failed: ${response.status} ${code} ${message}`);
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    assertValidContentType(contentType);
    const url = this.urlOf(key);
    const response = await this.send('PUT', url, { 'content-type': contentType }, data);
    if (!response.ok) throw await this.failure('PUT', key, response);
    await response.body?.cancel();
  }

  async get(key: string): Promise<StoredBlob | null> {
    const url = this.urlOf(key);
    const response = await this.send('GET', url);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.failure('GET', key, response);
    const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
    const length = response.headers.get('content-length');
    if (length === null || !response.body) {
      const data = Buffer.from(await response.arrayBuffer());
      return { stream: Readable.from([data]), contentType, size: data.length };
    }
    return { stream: Readable.fromWeb(response.body as WebReadableStream), contentType, size: Number(length) };
  }

  async delete(key: string): Promise<void> {
    const url = this.urlOf(key);
    const response = await this.send('DELETE', url);
    // S3 answers 204 whether or not the key existed; some compatible services answer 404 for a missing key.
    if (!response.ok && response.status !== 404) throw await this.failure('DELETE', key, response);
    await response.body?.cancel();
  }

  async close(): Promise<void> {}
}
