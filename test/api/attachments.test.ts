import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAttachments } from '../../src/commands/attachments/resolve.ts';
import { UPLOAD_RATE_LIMIT } from '../../src/api/attachments/routes.ts';
import { AppError } from '../../src/commands/errors.ts';
import { gifHeader, jpegHeader, png } from '../blobs/files.ts';
import { startTestServer } from '../support/api.ts';

const MAX = 64 * 1024;
let t: Awaited<ReturnType<typeof startTestServer>>;
let blobDir: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

beforeAll(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'rn-attachments-'));
  t = await startTestServer('attachments', { BLOB_DIR: blobDir, ATTACHMENT_MAX_BYTES: String(MAX) });
  [alice, bob] = await Promise.all([t.api.register('alice'), t.api.register('bob')]);
});
afterAll(async () => {
  await t?.close();
  await rm(blobDir, { recursive: true, force: true });
});

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body, byte for byte as a browser sends it (the filename as raw UTF-8). */
function multipart(parts: Part[], boundary = `----rn${randomUUID()}`) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename !== undefined ? `; filename="${part.filename}"` : '';
    const type = part.contentType !== undefined ? `\r\nContent-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function post(parts: Part[], token: string | undefined = alice.token, headers: Record<string, string> = {}) {
  const { payload, contentType } = multipart(parts);
  const response = await t.server.app.inject({
    method: 'POST',
    url: '/v1/attachments',
    payload,
    headers: { 'content-type': contentType, ...(token && { authorization: `Bearer ${token}` }), ...headers },
  });
  return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body || 'null') };
}

const upload = (filename: string, data: Buffer | string, claimed = 'application/octet-stream', token?: string) =>
  post([{ name: 'file', filename, contentType: claimed, data }], token);

async function download(url: string, token: string | undefined = alice.token, headers: Record<string, string> = {}) {
  const response = await t.server.app.inject({
    method: 'GET',
    url,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers },
  });
  return { status: response.statusCode, headers: response.headers, raw: response.rawPayload, body: response.body };
}

async function storedFiles(): Promise<string[]> {
  const entries = await readdir(blobDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

describe('POST /v1/attachments', () => {
  it('stores a PNG: sniffed image/png (whatever the client claims), 3×2 read from the file, AttachmentUploaded after the blob', async () => {
    const image = png(3, 2);
    const res = await upload('pixel.png', image, 'text/plain');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      url: `/v1/attachments/${res.body.id}/pixel.png`,
      filename: 'pixel.png',
      size: image.length,
      contentType: 'image/png',
      width: 3,
      height: 2,
    });
    expect(res.headers.location).toBe(res.body.url);
    const position = Number(res.headers['x-event-position']);
    expect(position).toBeGreaterThan(0);

    const events = await t.server.services.store.readStream(`attachment-${res.body.id}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'AttachmentUploaded',
      position,
      data: {
        attachmentId: res.body.id,
        uploaderId: alice.id,
        filename: 'pixel.png',
        size: image.length,
        contentType: 'image/png',
        width: 3,
        height: 2,
        blobKey: `attachments/${res.body.id}`,
        uploadedAt: expect.any(String),
      },
      metadata: { actorId: alice.id },
    });
    const blob = await t.server.services.blobs.get(`attachments/${res.body.id}`);
    expect(blob).toMatchObject({ contentType: 'image/png', size: image.length });
    blob!.stream.destroy();
  });

  it('reads JPEG and GIF dimensions from their headers', async () => {
    const jpeg = await upload('photo.jpg', jpegHeader(640, 480), 'image/png');
    expect(jpeg.body).toMatchObject({ contentType: 'image/jpeg', width: 640, height: 480 });
    const gif = await upload('anim.gif', gifHeader(5, 4));
    expect(gif.body).toMatchObject({ contentType: 'image/gif', width: 5, height: 4 });
  });

  it('takes UTF-8 text as text/plain without dimensions, and unknown bytes as application/octet-stream', async () => {
    const text = await upload('notes.txt', 'héllo, wörld\n', 'image/png');
    expect(text.status).toBe(201);
    expect(text.body).toEqual(expect.objectContaining({ contentType: 'text/plain', size: Buffer.byteLength('héllo, wörld\n') }));
    expect(text.body).not.toHaveProperty('width');
    const binary = await upload('data.bin', Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x00]), 'text/plain');
    expect(binary.body.contentType).toBe('application/octet-stream');
  });

  it('stores HTML and SVG under their real types; they are only ever served as downloads (see the GET tests)', async () => {
    const html = await upload('page.html', '<!doctype html><html><script>alert(document.cookie)</script></html>', 'image/png');
    expect(html.status).toBe(201);
    expect(html.body.contentType).toBe('text/html');
    const svg = await upload('logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>alert(1)</script></svg>', 'image/png');
    expect(svg.body.contentType).toBe('image/svg+xml');
    expect(svg.body).not.toHaveProperty('width');
  });

  it('neutralises path traversal, control and bidi characters in the filename; keeps Unicode', async () => {
    const cases: Array<[string, string]> = [
      ['../../../etc/passwd', 'passwd'],
      ['..\\..\\boot.ini', 'boot.ini'],
      ['..', 'file'],
      ['evil\u202Egnp.exe', 'evilgnp.exe'],
      ['résumé 📄 #1?.txt', 'résumé 📄 #1?.txt'],
    ];
    for (const [raw, expected] of cases) {
      const res = await upload(raw, 'x');
      expect(res.status, raw).toBe(201);
      expect(res.body.filename, raw).toBe(expected);
      expect(res.body.url).toBe(`/v1/attachments/${res.body.id}/${encodeURIComponent(expected)}`);
      expect((await download(res.body.url)).status, raw).toBe(200);
    }
    expect((await storedFiles()).every((f) => f.startsWith(`${blobDir}/attachments/`))).toBe(true);
  });

  it('accepts a file of exactly the size limit', async () => {
    const res = await upload('max.bin', randomBytes(MAX));
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(MAX);
  });

  it('refuses a file over the limit with 413 payload_too_large, storing nothing and appending nothing', async () => {
    const head = await t.server.services.store.headPosition();
    const files = await storedFiles();
    // One byte over: found while streaming. Far over: refused from Content-Length before the body is read.
    for (const size of [MAX + 1, MAX + 200 * 1024]) {
      const res = await upload('big.bin', randomBytes(size));
      expect(res.status, String(size)).toBe(413);
      expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String), details: { maxBytes: MAX } } });
    }
    expect(await t.server.services.store.headPosition()).toBe(head);
    expect(await storedFiles()).toEqual(files);
  });

  it('refuses requests without exactly one file in the field `file` with 400, appending nothing', async () => {
    const head = await t.server.services.store.headPosition();
    const cases: Array<[string, Awaited<ReturnType<typeof post>>]> = [
      ['no file', await post([{ name: 'comment', data: 'just a field' }])],
      ['empty form', await post([])],
      ['wrong field', await post([{ name: 'upload', filename: 'a.txt', data: 'x' }])],
      ['two files', await post([{ name: 'file', filename: 'a.txt', data: 'a' }, { name: 'file', filename: 'b.txt', data: 'b' }])],
      ['empty file', await upload('empty.txt', '')],
    ];
    for (const [name, res] of cases) {
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe('invalid_request');
    }
    const json = await t.api.request('POST', '/v1/attachments', { token: alice.token, body: { file: 'aGVsbG8=' } });
    expect(json.status).toBe(400);
    const broken = await t.server.app.inject({
      method: 'POST',
      url: '/v1/attachments',
      payload: 'not multipart at all',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data' },
    });
    expect(broken.statusCode).toBe(400);
    expect(JSON.parse(broken.body).error.code).toBe('invalid_request');
    expect(await t.server.services.store.headPosition()).toBe(head);
  });

  it('needs a signed-in user: 401 in the error shape, nothing stored', async () => {
    const files = await storedFiles();
    const res = await upload('a.txt', 'hello', 'text/plain', '');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(await storedFiles()).toEqual(files);
  });

  it('a retried upload with the same Idempotency-Key gets the first answer and stores nothing new', async () => {
    const parts = [{ name: 'file', filename: 'retry.txt', data: 'retried' }];
    const first = await post(parts, alice.token, { 'idempotency-key': 'upload-retry-1' });
    expect(first.status).toBe(201);
    const head = await t.server.services.store.headPosition();
    const files = await storedFiles();
    const again = await post(parts, alice.token, { 'idempotency-key': 'upload-retry-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await t.server.services.store.headPosition()).toBe(head);
    expect(await storedFiles()).toEqual(files);
  });

  it(`is rate-limited per user at ${UPLOAD_RATE_LIMIT.limit} per minute (times RATE_LIMIT_SCALE)`, async () => {
    const res = await upload('a.txt', 'hello', 'text/plain', bob.token);
    const scale = t.server.services.config.RATE_LIMIT_SCALE;
    expect(res.headers['x-ratelimit-limit']).toBe(String(UPLOAD_RATE_LIMIT.limit * scale));
    expect(res.headers['x-ratelimit-remaining']).toBe(String(UPLOAD_RATE_LIMIT.limit * scale - 1));
  });
});

describe('GET /v1/attachments/:id/:filename', () => {
  it('streams the bytes back with their type, length, inline disposition, nosniff and an immutable private cache', async () => {
    const image = png(3, 2);
    const { body } = await upload('pixel.png', image);
    const res = await download(body.url);
    expect(res.status).toBe(200);
    expect(res.raw.equals(image)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'image/png',
      'content-length': String(image.length),
      'x-content-type-options': 'nosniff',
      'content-disposition': `inline; filename="pixel.png"; filename*=UTF-8''pixel.png`,
      'cache-control': 'private, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'; sandbox",
      etag: `"${body.id}"`,
    });
    const head = await t.server.app.inject({ method: 'HEAD', url: body.url, headers: { authorization: `Bearer ${alice.token}` } });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    expect(head.headers).toMatchObject({ 'content-type': 'image/png', 'content-length': String(image.length), 'x-content-type-options': 'nosniff' });
    const again = await download(body.url, alice.token, { 'if-none-match': `"${body.id}"` });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
  });

  it('serves text as UTF-8 text inline, and unknown bytes as a download', async () => {
    const text = await upload('notes.txt', 'héllo\n');
    const res = await download(text.body.url);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^inline; /);
    expect(res.body).toBe('héllo\n');
    const binary = await upload('blob.bin', Buffer.from([0, 1, 2, 0xff]));
    expect((await download(binary.body.url)).headers['content-disposition']).toMatch(/^attachment; filename="blob.bin"/);
  });

  it('serves HTML and SVG only as downloads, sandboxed and never sniffed', async () => {
    for (const [name, data, type] of [
      ['page.html', '<html><body onload="alert(1)">', 'text/html'],
      ['logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml'],
    ]) {
      const { body } = await upload(name!, data!);
      const res = await download(body.url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(res.body).toBe(data);
    }
  });

  it('round-trips a Unicode name and a 255-character one (longer than a route parameter may be)', async () => {
    const unicode = await upload('résumé 📄.txt', 'cv');
    const res = await download(unicode.body.url);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`inline; filename="r_sum_ _.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%F0%9F%93%84.txt`);
    const long = await upload(`${'é'.repeat(300)}.txt`, 'long');
    expect(long.body.filename).toHaveLength(255);
    expect((await download(long.body.url)).body).toBe('long');
  });

  it('answers 404 for an unknown id, a malformed id, a wrong filename or extra path', async () => {
    const { body } = await upload('right.txt', 'x');
    for (const url of [
      `/v1/attachments/${'0'.repeat(24)}/right.txt`,
      `/v1/attachments/not-an-id/right.txt`,
      `/v1/attachments/${body.id}/wrong.txt`,
      `/v1/attachments/${body.id}/RIGHT.txt`,
      `/v1/attachments/${body.id}/right.txt/more`,
      `/v1/attachments/${body.id}/..%2Fright.txt`,
      `/v1/attachments/${body.id}/`,
    ]) {
      const res = await download(url);
      expect(res.status, url).toBe(404);
      expect(JSON.parse(res.body).error.code, url).toBe('not_found');
    }
  });

  it('needs a signed-in user', async () => {
    const { body } = await upload('private.txt', 'x');
    const res = await download(body.url, '');
    expect(res.status).toBe(401);
  });

  it('is served to its uploader, and to others only while they may read a message that carries it', async () => {
    const [owner, member, outsider] = await Promise.all(['fowner', 'fmember', 'foutsider'].map((name) => t.api.register(name)));
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'files' } })).body;
    const general = revolt.channels[0] as string;
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token })).status).toBe(200);
    const secret = (await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'secret' } })).body.id as string;
    const hidden = await t.api.request('PUT', `/v1/channels/${secret}/permissions/${revolt.roles[0].id}`, { token: owner.token, body: { type: 'role', deny: ['VIEW_CHANNEL'] } });
    expect(hidden.status).toBeLessThan(300);
    const plans = (await upload('plans.txt', 'secret plans', 'text/plain', owner.token)).body;
    const notice = (await upload('notice.txt', 'public notice', 'text/plain', owner.token)).body;
    expect((await download(plans.url, owner.token)).status).toBe(200);
    expect((await download(notice.url, member.token)).status).toBe(404);

    const post = (channelId: string, attachmentId: string) =>
      t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'see the file', attachments: [attachmentId] } });
    expect((await post(secret, plans.id)).status).toBe(201);
    const sent = await post(general, notice.id);
    expect(sent.status).toBe(201);
    // Asked for at once, as a client would on the gateway's dispatch: served even if the read model lags.
    const fetched = await download(notice.url, member.token);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toBe('public notice');
    expect((await download(notice.url, outsider.token)).status).toBe(404);
    expect((await download(plans.url, member.token)).status).toBe(404);

    const deleted = await t.api.request('DELETE', `/v1/channels/${general}/messages/${sent.body.id}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    expect(await t.server.services.progress.waitForPosition('messages', Number(deleted.headers['x-event-position']), 5000)).toBe(true);
    expect((await download(notice.url, member.token)).status).toBe(404);
    expect((await download(notice.url, owner.token)).status).toBe(200);
  });
});

describe('resolveAttachments (for the messages module), over the real event store', () => {
  it("resolves the sender's own uploads right after upload, and refuses another user's with 422 attachment_not_owned", async () => {
    const mine = await upload('mine.png', png(3, 2));
    const theirs = await upload('theirs.txt', 'x', 'text/plain', bob.token);
    expect(await resolveAttachments(t.server.services, alice.id, [mine.body.id])).toEqual([mine.body]);
    const refused = await resolveAttachments(t.server.services, alice.id, [mine.body.id, theirs.body.id]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 422, code: 'attachment_not_owned', details: { attachmentId: theirs.body.id } });
    const missing = await resolveAttachments(t.server.services, alice.id, ['0'.repeat(24)]).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 422, code: 'attachment_not_found' });
  });
});
