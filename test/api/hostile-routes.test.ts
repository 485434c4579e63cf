import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';
import { reactorsSettled as settled, recordPublishes } from '../support/hostile/settle.ts';

/**
 * One property over every route the API documents: whatever a client sends, the answer is never a 5xx, a refused
 * request (4xx) appends nothing to the event store and publishes nothing on Redis, and every error has the one shape.
 * The routes come from /openapi.json, so a route added later is covered without touching this file.
 */

let t: Awaited<ReturnType<typeof startTestServer>>;
let publishes: Awaited<ReturnType<typeof recordPublishes>>;
let published: readonly string[] = [];

beforeAll(async () => {
  t = await startTestServer('hostile', { RATE_LIMIT_SCALE: '1000' });
  publishes = await recordPublishes(t.server);
  published = publishes.channels;
});
afterAll(async () => {
  await publishes?.close();
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: string;
}

const deepNesting = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Bodies a careless or hostile client sends; raw strings are sent as they are with a JSON content type. */
const BODIES: { label: string; payload?: unknown; raw?: string }[] = [
  { label: 'none' },
  { label: 'empty object', payload: {} },
  { label: 'array', payload: [1, 2, 3] },
  { label: 'invalid json', raw: '{"content": "unterminated' },
  { label: 'json null', raw: 'null' },
  { label: 'deep nesting', raw: deepNesting(5000) },
  { label: 'NUL in strings', payload: { content: 'a\u0000b', name: 'x\u0000', email: 'a\u0000@example.com', password: 'p\u0000assword!!', username: 'n\u0000', reason: '\u0000' } },
  { label: 'lone surrogates', raw: '{"content":"\\ud800x","name":"\\udfff","username":"\\ud800","description":"\\udc00","email":"a\\ud800@example.com","password":"\\ud800aaaaaaaaa"}' },
  { label: 'wrong types', payload: { content: 123, name: ['x'], email: { $ne: null }, password: true, amount: 'ten', settings: 'yes', permissions: 7, position: 'top' } },
  { label: 'operator injection', payload: { email: { $gt: '' }, password: { $ne: 'x' }, content: { $where: '1' }, name: { $regex: '.*' } } },
  { label: 'prototype pollution', raw: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"name":"p"}' },
  { label: 'huge numbers', payload: { amount: 1e308, position: -1e308, limit: Number.MAX_SAFE_INTEGER, color: 1e400 } },
  { label: 'bidi and zero-width', payload: { name: 'ad\u202emin', username: 'ad\u200bmin', content: 'x' } },
  { label: 'oversize', payload: { content: 'x'.repeat(1_100_000) } },
];

const GARBAGE_PARAMS = ['x', '%00', '0'.repeat(24), 'f'.repeat(400), '..%2F..%2Fetc', '%F0%9F%98%80', '%ED%A0%80', '-1'];

let resources: Record<string, string>;
let tokens: { member: string; outsider: string };

async function fixture() {
  const [owner, member, outsider] = await Promise.all([t.api.register('hostowner'), t.api.register('hostmember'), t.api.register('hostoutsider')]);
  const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Target' } });
  expect(revolt.status).toBe(201);
  const revoltId = revolt.body.id as string;
  const channelId = revolt.body.channels[0] as string;
  expect((await t.api.request('POST', `/v1/invites/${revolt.body.inviteCode}`, { token: member.token })).status).toBe(200);
  const message = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'hello' } });
  expect(message.status).toBe(201);
  const role = await t.api.request('POST', `/v1/revolts/${revoltId}/roles`, { token: owner.token, body: { name: 'mod', permissions: ['MANAGE_MESSAGES'], position: 1 } });
  expect(role.status).toBe(201);
  tokens = { member: member.token, outsider: outsider.token };
  resources = {
    id: revoltId,
    revoltId,
    channelId,
    messageId: message.body.id,
    roleId: role.body.id,
    userId: owner.id,
    targetId: owner.id,
    code: revolt.body.inviteCode,
    emoji: '%F0%9F%91%8D',
    username: 'hostowner',
    discriminator: owner.discriminator,
  };
}

const reactorsSettled = () => settled(t.server, published);

async function documentedRoutes(): Promise<Route[]> {
  const doc = await t.api.request('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(operations)) {
      const upper = method.toUpperCase();
      if (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(upper)) routes.push({ method: upper as Method, path });
    }
  }
  return routes;
}

const fill = (path: string, value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_, name: string) => value(name));

async function send(route: Route, url: string, token: string | undefined, body: (typeof BODIES)[number]) {
  const headers: Record<string, string> = { 'idempotency-key': `hostile-${Math.random().toString(36).slice(2)}` };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body.raw !== undefined) payload = body.raw;
  else if (body.payload !== undefined) payload = JSON.stringify(body.payload);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  return t.server.app.inject({ method: route.method, url, headers, ...(hasBody && payload !== undefined && { payload }) });
}

describe('every documented route, attacked', () => {
  it('never answers 5xx; a refused request appends nothing and publishes nothing; errors have the one shape', async () => {
    await fixture();
    await reactorsSettled();
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    const callers: [string, string | undefined][] = [['anonymous', undefined], ['outsider', tokens.outsider], ['member', tokens.member]];
    // Logging out would end the callers' sessions for every later case; it is attacked last, below.
    for (const route of routes.filter((r) => r.path !== '/v1/auth/logout')) {
      // Every body against the real resources; garbage in the path with a few bodies (the path is checked first).
      const cases: [string, (typeof BODIES)[number][]][] = [[fill(route.path, (name) => resources[name] ?? 'x'), BODIES]];
      if (route.path.includes('{')) for (const g of GARBAGE_PARAMS) cases.push([fill(route.path, () => g), BODIES.slice(0, 3)]);
      for (const [url, bodies] of cases) {
        for (const [who, token] of callers) {
          for (const body of bodies) {
            const before = await t.server.services.store.headPosition();
            const publishedBefore = published.length;
            const response = await send(route, url, token, body);
            byStatus.set(response.statusCode, (byStatus.get(response.statusCode) ?? 0) + 1);
            if (response.statusCode < 400 && route.method !== 'GET') await reactorsSettled();
            const where = `${route.method} ${url.slice(0, 80)} as ${who} with ${body.label}`;
            if (response.statusCode >= 500) failures.push(`${where}: ${response.statusCode} ${response.body.slice(0, 200)}`);
            if (response.statusCode >= 400) {
              const after = await t.server.services.store.headPosition();
              if (after !== before) failures.push(`${where}: ${response.statusCode} yet appended ${after - before} events`);
              if (published.length !== publishedBefore) failures.push(`${where}: ${response.statusCode} yet published on Redis`);
              let shape: { error?: { code?: unknown; message?: unknown } } | undefined;
              try {
                shape = JSON.parse(response.body);
              } catch {
                shape = undefined;
              }
              if (typeof shape?.error?.code !== 'string' || typeof shape.error.message !== 'string') {
                failures.push(`${where}: ${response.statusCode} without the error shape: ${response.body.slice(0, 120)}`);
              }
            }
          }
        }
      }
    }
    for (const body of BODIES) {
      const before = await t.server.services.store.headPosition();
      const response = await send({ method: 'POST', path: '/v1/auth/logout' }, '/v1/auth/logout', undefined, body);
      expect(response.statusCode).toBe(401);
      expect(await t.server.services.store.headPosition()).toBe(before);
    }
    console.log(`hostile routes: ${routes.length} routes, answers by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
    expect(failures.slice(0, 40)).toEqual([]);
  }, 600_000);
});
