import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentIntentEvent, signed, STRIPE_TEST_ENV, WEBHOOK_SECRETS } from '../payments/stripe-webhooks.ts';
import { closeAll, identified, startGatewayServer, type GatewayClient, type GatewayServer } from '../realtime/support.ts';

/**
 * No secret a run creates (bearer tokens, passwords, Stripe's client secrets, signing secrets) ever reaches an event,
 * a Redis command or a read-model document: the event store is immutable, so a secret written there is there forever.
 * A whole session of a client's life, with Idempotency-Keys on every command, is recorded through Redis MONITOR.
 */

let t: GatewayServer;
const clients: GatewayClient[] = [];
let monitor: Socket;
let redisTraffic = '';

beforeAll(async () => {
  t = await startGatewayServer('secrets', STRIPE_TEST_ENV);
  // MONITOR on a plain socket: every command any client sends to this Redis, as Redis itself echoes it.
  monitor = connect(6379, '127.0.0.1');
  monitor.setEncoding('utf8');
  monitor.on('data', (chunk: string) => (redisTraffic += chunk));
  monitor.write('MONITOR\r\n');
  await new Promise<void>((resolve) => monitor.once('data', () => resolve()));
});
afterAll(async () => {
  monitor?.destroy();
  await closeAll(clients, t);
});

const key = () => `secrets-${Math.random().toString(36).slice(2)}`;

describe('secrets at rest and in transit', () => {
  it('no token, password, client secret or signing secret in the event store, Redis traffic or read models', async () => {
    const password = 'a secret horse battery staple';
    const email = `secretive-${Date.now()}@example.com`;
    const registered = await t.api.request('POST', '/v1/auth/register', {
      body: { email, username: 'secretive', password },
      headers: { 'idempotency-key': key() },
    });
    expect(registered.status).toBe(201);
    const login = await t.api.request('POST', '/v1/auth/login', { body: { email, password }, headers: { 'idempotency-key': key() } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const { client } = await identified(clients, t.url(), token);

    const revolt = await t.api.request('POST', '/v1/revolts', { token, body: { name: 'Vault' }, headers: { 'idempotency-key': key() } });
    expect(revolt.status).toBe(201);
    const sent = await t.api.request('POST', `/v1/channels/${revolt.body.channels[0]}/messages`, {
      token,
      body: { content: 'nothing secret here' },
      headers: { 'idempotency-key': key() },
    });
    expect(sent.status).toBe(201);
    await client.waitFor(1, (f) => f.t === 'MessageSent');

    const pledge = await t.api.request('POST', `/v1/revolts/${revolt.body.id}/donations`, {
      token,
      body: { amount: 1500, currency: 'usd', isAnonymous: false },
      headers: { 'idempotency-key': key() },
    });
    expect(pledge.status).toBe(201);
    const clientSecret = pledge.body.clientSecret as string;
    expect(clientSecret).toMatch(/_secret_/);
    const { payload, headers } = signed(paymentIntentEvent('payment_intent.succeeded', pledge.body.donation));
    expect((await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers })).status).toBe(200);
    const logout = await t.api.request('POST', '/v1/auth/logout', { token: registered.body.token, headers: { 'idempotency-key': key() } });
    expect(logout.status).toBeLessThan(300);

    const secrets = {
      'register token': registered.body.token as string,
      'login token': token,
      'token secret part': token.split('.').at(-1)!,
      password,
      'client secret': clientSecret,
      'webhook secret': WEBHOOK_SECRETS[1],
      'stripe key': t.server.services.config.STRIPE_SECRET_KEY,
    };

    const recorded = await t.server.services.store.readAll({ after: 0, maxCount: 100_000 });
    const events = JSON.stringify(recorded);
    expect(events.length).toBeGreaterThan(1000);
    const documents: string[] = [];
    for (const collection of await t.server.services.db.listCollections().toArray()) {
      documents.push(JSON.stringify(await t.server.services.db.collection(collection.name).find().toArray()));
    }
    const prefix = t.server.services.config.REDIS_PREFIX;
    const traffic = redisTraffic.split('\n').filter((line) => line.includes(prefix)).join('\n');
    expect(traffic).toContain(`${prefix}:gw:events`); // the gateway's fan-out was recorded, so the scan below means something

    // Credential hashes belong in the store (that is how logins are checked) but never travel to the gateways.
    const hashes = recorded.flatMap((e) => Object.entries(e.data as Record<string, unknown>).filter(([field]) => field === 'passwordHash' || field === 'tokenHash'));
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    const found: string[] = [];
    for (const [field, hash] of hashes) if (traffic.includes(String(hash))) found.push(`${field} in Redis traffic: ${traffic.split("\n").find((l) => l.includes(String(hash)))?.slice(0, 300)}`);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(8);
      if (events.includes(secret)) found.push(`${name} in the event store`);
      if (traffic.includes(secret)) found.push(`${name} in Redis traffic`);
      if (documents.some((d) => d.includes(secret))) found.push(`${name} in a read-model document`);
    }
    expect(found).toEqual([]);
  });
});
