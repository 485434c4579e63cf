import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { IDEMPOTENCY_COLLECTION } from '../../src/http/idempotency-records.ts';
import { startTestServer } from '../support/api.ts';
import { reactorsSettled } from '../support/hostile/settle.ts';
import { REDIS_URL } from '../support/engines.ts';

const CLAIM_TIMEOUT_MS = 2000;
let t: Awaited<ReturnType<typeof startTestServer>>;
let subscriber: Redis;
const published: string[] = [];

beforeAll(async () => {
  t = await startTestServer('idem', { IDEMPOTENCY_CLAIM_TIMEOUT_MS: String(CLAIM_TIMEOUT_MS) });
  subscriber = new Redis(REDIS_URL);
  subscriber.on('pmessage', (_pattern, channel, message) => published.push(`${channel} ${message}`));
  await subscriber.psubscribe(`${t.server.services.config.REDIS_PREFIX}*`);
});
afterAll(async () => {
  await subscriber?.quit();
  await t?.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const records = () => t.server.services.db.collection<{ _id: string }>(IDEMPOTENCY_COLLECTION);
const head = () => t.server.services.store.headPosition();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allEvents(): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let page = await t.server.services.store.readAll(); page.length > 0; page = await t.server.services.store.readAll({ after: page.at(-1)!.position })) {
    events.push(...page);
  }
  return events;
}

async function ownerWithChannel(name: string) {
  const owner = await t.api.register(name);
  const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: `${name} HQ` } });
  expect(revolt.status).toBe(201);
  return { owner, revolt: revolt.body, channelId: revolt.body.channels[0] as string };
}

describe('refused requests with an Idempotency-Key', () => {
  it('append nothing and leave no record: unknown route, wrong password, forged webhook, 400, 403, 404', async () => {
    const { owner, revolt } = await ownerWithChannel('refuser');
    const member = await t.api.register('refused');
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token })).status).toBe(200);
    await reactorsSettled(t.server, []); // the join's notification is appended by a reactor, later
    const before = await head();
    const recordsBefore = await records().countDocuments();
    const key = (label: string) => ({ 'idempotency-key': `refused-${label}` });

    const refused = [
      await t.api.request('POST', '/v1/no-such-route', { body: { a: 1 }, headers: key('unknown') }),
      await t.api.request('POST', '/v1/auth/login', { body: { email: owner.email, password: 'not the password' }, headers: key('login') }),
      await t.api.request('POST', '/v1/payments/stripe/webhook', {
        body: { id: 'evt_forged', type: 'payment_intent.succeeded' },
        headers: { ...key('webhook'), 'stripe-signature': 't=1,v1=forged' },
      }),
      await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: '' }, headers: key('invalid') }),
      await t.api.request('DELETE', `/v1/revolts/${revolt.id}`, { token: member.token, headers: key('forbidden') }),
      await t.api.request('POST', `/v1/channels/${'0'.repeat(24)}/messages`, { token: owner.token, body: { content: 'hi' }, headers: key('missing') }),
    ];

    expect(refused.map((r) => r.status)).toEqual([404, 401, 400, 400, 403, 404]);
    for (const response of refused) expect(response.body.error.code).toEqual(expect.any(String));
    expect(await head()).toBe(before);
    expect(await records().countDocuments()).toBe(recordsBefore);
  });

  it('a refused request frees its key: the corrected request with the same key runs', async () => {
    const { owner } = await ownerWithChannel('corrector');
    const headers = { 'idempotency-key': 'fix-and-retry' };
    expect((await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: '' }, headers })).status).toBe(400);
    const fixed = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Fixed' }, headers });
    expect(fixed.status).toBe(201);
  });
});

describe('answers that carry a token', () => {
  it('are never stored: register and login with a key leave their tokens in no event, record or Redis message', async () => {
    const email = `secret-${Date.now()}@example.com`;
    const password = 'a very secret passphrase';
    const body = { email, username: 'secretive', password };
    const headers = { 'idempotency-key': 'register-secretive' };
    const registered = await t.api.request('POST', '/v1/auth/register', { body, headers });
    expect(registered.status).toBe(201);
    const login = await t.api.request('POST', '/v1/auth/login', { body: { email, password }, headers: { 'idempotency-key': 'login-secretive' } });
    expect(login.status).toBe(200);
    const tokens = [registered.body.token as string, login.body.token as string];

    const secrets = [...tokens, ...tokens.map((token) => token.split('.')[1]!), password];
    const stored = [
      JSON.stringify(await allEvents()),
      JSON.stringify(await records().find().toArray()),
      published.join('\n'),
    ];
    for (const text of stored) for (const secret of secrets) expect(text).not.toContain(secret);
    // The keys are remembered (a retry reuses their ids), their answers are not.
    for (const key of ['register-secretive', 'login-secretive']) {
      const record = await records().findOne({ _id: sha256(`ip:127.0.0.1\n${key}`) });
      expect(record).toMatchObject({ fingerprint: expect.any(String) });
      expect(record).not.toHaveProperty('response');
    }
  });

  it('a retried register with the same key answers 201 with a fresh working token and registers nobody again', async () => {
    const body = { email: `again-${Date.now()}@example.com`, username: 'retrier', password: 'correct horse battery' };
    const headers = { 'idempotency-key': 'register-retrier' };
    const first = await t.api.request('POST', '/v1/auth/register', { body, headers });
    expect(first.status).toBe(201);
    const before = await head();

    const retry = await t.api.request('POST', '/v1/auth/register', { body, headers });
    expect(retry.status).toBe(201);
    expect(retry.body.user).toMatchObject({ id: first.body.user.id, discriminator: first.body.user.discriminator, email: body.email });
    expect(retry.body.token).not.toBe(first.body.token);
    // Only the new session's event: no second user, email or tag claim.
    expect((await t.server.services.store.readAll({ after: before })).map((e) => e.type)).toEqual(['SessionStarted']);
    const me = await t.api.request('GET', '/v1/users/@me', { token: retry.body.token, headers: { 'x-min-position': retry.headers['x-event-position'] as string } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(first.body.user.id);

    const afterRetry = await head();
    const otherPassword = await t.api.request('POST', '/v1/auth/register', { body: { ...body, password: 'another password!' }, headers });
    expect(otherPassword.status).toBe(422);
    expect(otherPassword.body.error.code).toBe('idempotency_key_reused');
    const otherEmail = await t.api.request('POST', '/v1/auth/register', { body: { ...body, email: `x${body.email}` }, headers });
    expect(otherEmail.status).toBe(422);
    expect(await head()).toBe(afterRetry);
    const again = await t.api.request('POST', '/v1/auth/register', { body, headers });
    expect(again.status).toBe(201);
    expect(again.body.user.id).toBe(first.body.user.id);
  });
});

describe('a command whose answer was never recorded (the process crashed after appending)', () => {
  it('gets 409 with Retry-After while the claim holds, then the retry answers the same message, appended once', async () => {
    const { owner, channelId } = await ownerWithChannel('crasher');
    const key = 'send-before-crash';
    const send = () => t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'exactly once' }, headers: { 'idempotency-key': key } });
    const first = await send();
    expect(first.status).toBe(201);
    const before = await head();

    // As if the process died between the append and recording the answer: a claim, no response.
    const recordId = sha256(`${owner.id}\n${key}`);
    const crashed = await records().updateOne({ _id: recordId }, { $unset: { response: '' }, $set: { claimedAt: new Date() } });
    expect(crashed.modifiedCount).toBe(1);

    const busy = await send();
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('request_in_progress');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(busy.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(CLAIM_TIMEOUT_MS / 1000));

    await sleep(Number(busy.headers['retry-after']) * 1000 + 100);
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(first.body.id);
    expect(retried.headers['x-event-position']).toBe(first.headers['x-event-position']);
    expect(await head()).toBe(before);
    const sent = (await allEvents()).filter((e) => e.type === 'MessageSent' && (e.data as { messageId: string }).messageId === first.body.id);
    expect(sent).toHaveLength(1);
    const list = await t.api.request('GET', `/v1/channels/${channelId}/messages`, { token: owner.token, headers: { 'x-min-position': String(before) } });
    expect(list.body.items.filter((m: { content: string }) => m.content === 'exactly once')).toHaveLength(1);

    // Its answer is recorded now: the next retry is a replay.
    const replayed = await send();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(retried.body);
  });

  it('a revolt created before the crash is answered again, with the same ids and invite code, appending nothing', async () => {
    const owner = await t.api.register('founder');
    const key = 'create-before-crash';
    const create = () => t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Crash Proof' }, headers: { 'idempotency-key': key } });
    const first = await create();
    expect(first.status).toBe(201);
    const before = await head();
    await records().updateOne({ _id: sha256(`${owner.id}\n${key}`) }, { $unset: { response: '' }, $set: { claimedAt: new Date(0) } });

    const retried = await create();
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(await head()).toBe(before);
  });
});
