import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessionDecider, sessionStream } from '../../src/commands/auth/session.ts';
import { issueToken } from '../../src/commands/auth/tokens.ts';
import { userDecider, userStream } from '../../src/commands/users/decide.ts';
import { verificationToken } from '../../src/commands/users/verification-token.ts';
import { newId } from '../../src/events/ids.ts';
import { REDIS_URL } from '../support/engines.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
let outbox: string;
let monitor: Socket;
let redisTraffic = '';

beforeAll(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'verification-outbox-'));
  t = await startTestServer('verification', { MAIL_OUTBOX_DIR: outbox, PUBLIC_URL: 'https://app.revolution.test/' });
  // Every command any client sends to this Redis, as Redis echoes it: lane jobs and gateway publishes included.
  const { hostname, port } = new URL(REDIS_URL);
  monitor = connect(Number(port), hostname);
  monitor.setEncoding('utf8');
  monitor.on('data', (chunk: string) => (redisTraffic += chunk));
  monitor.write('MONITOR\r\n');
  await new Promise<void>((resolve) => monitor.once('data', () => resolve()));
});
afterAll(async () => {
  monitor?.destroy();
  await t?.close();
  await rm(outbox, { recursive: true, force: true });
});

/** Quoted-printable soft breaks and escapes undone: the body as a mail client shows it. */
const decoded = (eml: string) => eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The mails in the outbox that carry a link for `userId`, as their tokens, oldest mail first by token id. */
async function mailedTokens(userId: string): Promise<string[]> {
  const tokens: string[] = [];
  for (const file of (await readdir(outbox)).filter((f) => f.endsWith('.eml')).sort()) {
    const link = /https:\/\/app\.revolution\.test\/verify-email\?token=([\w.-]+)/.exec(decoded(await readFile(join(outbox, file), 'utf8')));
    if (link?.[1]?.startsWith(`${userId}.`)) tokens.push(link[1]);
  }
  return tokens;
}

async function mailed(userId: string, count: number): Promise<string[]> {
  return vi.waitFor(
    async () => {
      const tokens = await mailedTokens(userId);
      expect(tokens).toHaveLength(count);
      return tokens;
    },
    { timeout: 15_000, interval: 50 },
  );
}

const head = async () => (await t.server.services.store.readAll({ after: 0, maxCount: 100_000 })).at(-1)?.position ?? 0;
const me = (token: string, position?: string | string[] | number) =>
  t.api.request('GET', '/v1/users/@me', { token, ...(position !== undefined && { headers: { 'x-min-position': String(position) } }) });

let earlyUsers = 0;
/** A user recorded `minutesAgo` (straight through the command handler, as a registration then would have; each its own tag), with a session. */
async function registeredMinutesAgo(minutesAgo: number) {
  const userId = newId();
  const tokenId = newId();
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const { tokenHash } = verificationToken(t.server.services.config.EMAIL_TOKEN_SECRET, userId, tokenId);
  const context = { actorId: userId, correlationId: `test-${userId}`, causationId: `test-${userId}` };
  await t.server.services.commands.execute(
    userStream(userId),
    userDecider,
    { type: 'RegisterUser', userId, email: `${userId}@example.com`, username: 'early', discriminator: String(++earlyUsers).padStart(4, '0'), passwordHash: 'h', userType: 'supporter', link: { tokenId, tokenHash }, at },
    context,
  );
  const session = issueToken();
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  await t.server.services.commands.execute(sessionStream(session.sessionId), sessionDecider, { type: 'StartSession', sessionId: session.sessionId, userId, tokenHash: session.tokenHash, expiresAt }, context);
  return { userId, bearer: session.token, firstToken: verificationToken(t.server.services.config.EMAIL_TOKEN_SECRET, userId, tokenId).token };
}

describe('email verification over the API', () => {
  it('registration mails a link into PUBLIC_URL; following it sets isVerified; a second use is refused and appends nothing', async () => {
    const ada = await t.api.register('ada');
    expect(ada.isVerified).toBe(false);
    const [token] = await mailed(ada.id, 1);

    const verified = await t.api.request('POST', '/v1/auth/verify', { body: { token } });
    expect(verified.status).toBe(204);
    expect((await me(ada.token, verified.headers['x-event-position'])).body.isVerified).toBe(true);

    const before = await head();
    const again = await t.api.request('POST', '/v1/auth/verify', { body: { token } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('verification_token_used');
    const resend = await t.api.request('POST', '/v1/auth/verify/resend', { token: ada.token });
    expect(resend.status).toBe(409);
    expect(resend.body.error.code).toBe('already_verified');
    expect(await head()).toBe(before);
  });

  it('a token not issued here, or malformed, is refused as invalid', async () => {
    const ada = await t.api.register('forger');
    const forged = verificationToken('not the server secret at all', ada.id, newId()).token;
    for (const token of [forged, 'garbage', `${newId()}.${'x'.repeat(43)}`]) {
      const res = await t.api.request('POST', '/v1/auth/verify', { body: { token } });
      expect(res.status, token).toBe(422);
      expect(res.body.error.code).toBe('verification_token_invalid');
    }
    expect((await t.api.request('POST', '/v1/auth/verify', { body: {} })).status).toBe(400);
  });

  it('an expired link is refused, saying when it expired', async () => {
    const early = await registeredMinutesAgo(25 * 60);
    const res = await t.api.request('POST', '/v1/auth/verify', { body: { token: early.firstToken } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('verification_token_expired');
    expect(Date.parse(res.body.error.details.expiredAt)).toBeLessThan(Date.now());
  });

  it('resend: one a minute (a refusal appends nothing and mails nothing); a new link supersedes the older ones', async () => {
    const bob = await t.api.register('bob');
    await mailed(bob.id, 1);
    const before = await head();
    const refused = await t.api.request('POST', '/v1/auth/verify/resend', { token: bob.token });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 'per_minute' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await head()).toBe(before);

    const early = await registeredMinutesAgo(2);
    const resent = await t.api.request('POST', '/v1/auth/verify/resend', { token: early.bearer });
    expect(resent.status).toBe(202);
    expect(Date.parse(resent.body.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    // The registration's link may have been mailed too, if the reactor reached it before the resend superseded it.
    const newest = await vi.waitFor(
      async () => {
        const fresh = (await mailedTokens(early.userId)).filter((token) => token !== early.firstToken);
        expect(fresh).toHaveLength(1);
        return fresh[0]!;
      },
      { timeout: 15_000, interval: 50 },
    );
    const old = await t.api.request('POST', '/v1/auth/verify', { body: { token: early.firstToken } });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('verification_token_superseded');
    expect((await t.api.request('POST', '/v1/auth/verify', { body: { token: newest } })).status).toBe(204);
    // The refused resend mailed nothing.
    expect(await mailedTokens(bob.id)).toHaveLength(1);
  });

  it("a revolt's verification level holds back an unverified member's messages until they verify; the owner speaks", async () => {
    const owner = await t.api.register('keeper');
    const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Verified Only', settings: { verificationLevel: 1, allowInvites: true } } });
    expect(revolt.status).toBe(201);
    const channelId = revolt.body.channels[0] as string;
    const carol = await t.api.register('carol');
    expect((await t.api.request('POST', `/v1/invites/${revolt.body.inviteCode}`, { token: carol.token })).status).toBe(200);

    const before = await head();
    const held = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: carol.token, body: { content: 'hello?' } });
    expect(held.status).toBe(403);
    expect(held.body.error).toMatchObject({ code: 'verification_required', details: { level: 1, missing: ['verified_email'] } });
    expect(await head()).toBe(before);
    expect((await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'welcome' } })).status).toBe(201);

    const [token] = await mailed(carol.id, 1);
    expect((await t.api.request('POST', '/v1/auth/verify', { body: { token } })).status).toBe(204);
    expect((await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: carol.token, body: { content: 'hello!' } })).status).toBe(201);
  });

  it('no verification token ever enters the event store, a read model or Redis', async () => {
    const users = (await t.server.services.db.collection('users').find({}).toArray()).map((u) => u.id as string);
    const tokens = (await Promise.all(users.map(mailedTokens))).flat();
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    const events = JSON.stringify(await t.server.services.store.readAll({ after: 0, maxCount: 100_000 }));
    const collections = await t.server.services.db.listCollections().toArray();
    const documents = JSON.stringify(await Promise.all(collections.map((c) => t.server.services.db.collection(c.name).find({}).toArray())));
    expect(events).toContain('EmailVerificationRequested');
    expect(redisTraffic).toContain('EmailVerificationRequested');
    for (const token of tokens) {
      const secret = token.split('.')[1]!;
      expect(events).not.toContain(secret);
      expect(documents).not.toContain(secret);
      expect(redisTraffic).not.toContain(secret);
    }
  });
});
