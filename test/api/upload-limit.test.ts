import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';

/** Oversized uploads over a real socket: the server must stop reading at the limit and close the connection. */
const MAX = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
/** What a client would go on to send if the server let it: far beyond the limit. */
const TOTAL = 48 * 1024 * 1024;
/** The most a client may have handed its socket when the answer comes: the limit plus what loopback buffers hold. */
const SENT_AT_ANSWER_MAX = MAX + 12 * 1024 * 1024;

let t: Awaited<ReturnType<typeof startTestServer>>;
let port: number;
let token: string;
beforeAll(async () => {
  t = await startTestServer('uploadlimit', { ATTACHMENT_MAX_BYTES: String(MAX) });
  await t.server.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.server.app.server.address() as AddressInfo).port;
  token = (await t.api.register('uploader')).token;
});
afterAll(() => t?.close());

interface Outcome {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
  /** Bytes of body the client had written when the response arrived. */
  sentAtAnswer: number;
  /** Whether the server closed the connection (the client never finished its body). */
  closed: boolean;
}

/**
 * Streams a multipart upload of TOTAL bytes in chunks (chunked encoding unless `contentLength` is declared), as fast
 * as the socket takes them, and stops writing once the answer arrives. A server that answers only at the end gets
 * the whole body, properly finished.
 */
function streamUpload(options: { contentLength?: number; authorization?: string } = {}): Promise<Outcome> {
  const boundary = '----rnlimit';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer: Omit<Outcome, 'closed'> | undefined;
    let closed = false;
    const wake: Array<() => void> = [];
    const notify = () => wake.splice(0).forEach((f) => f());
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/attachments',
      agent: false,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(options.authorization !== undefined ? { authorization: options.authorization } : { authorization: `Bearer ${token}` }),
        ...(options.contentLength !== undefined && { 'content-length': String(options.contentLength) }),
      },
    });
    // The server hanging up on a client still writing is the point: EPIPE/ECONNRESET are expected.
    req.on('error', () => notify());
    req.on('socket', (socket) =>
      socket.on('close', () => {
        closed = true;
        notify();
      }),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        answer = { status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined, sentAtAnswer: sent };
        notify();
      });
    });
    const until = (ms: number) =>
      new Promise<void>((r) => {
        const timer = setTimeout(r, ms);
        wake.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    (async () => {
      req.write(head);
      while (!answer && !closed && sent < TOTAL) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) {
          const drained = new Promise<void>((r) => req.once('drain', r));
          await Promise.race([drained, until(30_000)]);
        }
      }
      if (!answer && !closed) req.end(tail);
      const deadline = Date.now() + 30_000;
      while (!answer && Date.now() < deadline) await until(deadline - Date.now());
      if (!answer) throw new Error(`no answer (closed: ${closed}, sent ${sent})`);
      // Given time to hang up, without the client ever finishing its body.
      const hangUp = Date.now() + 5000;
      while (!closed && Date.now() < hangUp) await until(hangUp - Date.now());
      const outcome = { ...answer, closed };
      if (!closed) req.destroy();
      resolve(outcome);
    })().catch(reject);
  });
}

const expectTooLarge = (outcome: Outcome) => {
  expect(outcome.status).toBe(413);
  expect(outcome.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String), details: { maxBytes: MAX } } });
  expect(outcome.headers.connection).toBe('close');
};

describe('oversized uploads over a socket', () => {
  it('a chunked upload past the limit is answered 413 as it crosses the limit, and the connection is closed', async () => {
    const head = await t.server.services.store.headPosition();
    const outcome = await streamUpload();
    expectTooLarge(outcome);
    expect(outcome.sentAtAnswer).toBeLessThan(SENT_AT_ANSWER_MAX);
    expect(outcome.closed).toBe(true);
    expect(await t.server.services.store.headPosition()).toBe(head);
  });

  it('a declared Content-Length over the limit is answered 413 before the body is read, and the connection is closed', async () => {
    const outcome = await streamUpload({ contentLength: TOTAL + 1024 });
    expectTooLarge(outcome);
    expect(outcome.sentAtAnswer).toBeLessThan(SENT_AT_ANSWER_MAX);
    expect(outcome.closed).toBe(true);
  });

  it('an upload refused before its body is read (no valid token) closes the connection too', async () => {
    const outcome = await streamUpload({ authorization: 'Bearer nonsense' });
    expect(outcome.status).toBe(401);
    expect(outcome.body.error.code).toBe('unauthorized');
    expect(outcome.headers.connection).toBe('close');
    expect(outcome.sentAtAnswer).toBeLessThan(SENT_AT_ANSWER_MAX);
    expect(outcome.closed).toBe(true);
  });

  it('an upload within the limit still goes through on the same kind of connection', async () => {
    const boundary = '----rnsmall';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="small.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      Buffer.alloc(MAX, 0x62),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`http://127.0.0.1:${port}/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { size: number }).size).toBe(MAX);
  });
});
