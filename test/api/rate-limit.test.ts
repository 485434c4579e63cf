import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FAILURE_LIMIT, DEFAULT_RATE_LIMIT } from '../../src/http/rate-limit.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('ratelimit', { RATE_LIMIT_SCALE: '1' });
});
afterAll(() => t?.close());

describe('rate limits', () => {
  it('counts per route and caller, says how many remain, and answers 429 with Retry-After past the limit', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      last = await t.api.request('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1' } });
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers['x-ratelimit-limit']).toBe('10');
        expect(last.headers['x-ratelimit-remaining']).toBe('9');
        expect(Number(last.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(last!.body.error.code).toBe('rate_limited');
    // Another route has its own budget.
    const register = await t.api.request('POST', '/v1/auth/register', { body: {} });
    expect(register.status).toBe(400);
  });
});

/** Limits scaled down to a tenth (60 requests per route, 6 failed authentications per address), on its own engines. */
describe('what counts against the limits', () => {
  const SCALE = 0.1;
  let small: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    small = await startTestServer('ratelimitcounts', { RATE_LIMIT_SCALE: String(SCALE) });
  });
  afterAll(() => small?.close());

  /** A request from `address`, the body sent as it is (not serialised). */
  const send = (address: string, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: string) =>
    small.server.app.inject({ method, url, headers, remoteAddress: address, ...(payload !== undefined && { payload }) });

  it('requests refused as invalid JSON or invalid input count against the route limit', async () => {
    const user = await small.api.register('counted');
    const limit = Math.floor(DEFAULT_RATE_LIMIT.limit * SCALE);
    const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) {
      const res = await send('10.0.0.1', 'POST', '/v1/revolts', headers, i % 2 === 0 ? '{"name": ' : '{"name": 42}');
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual(Array(limit).fill(400));
    const last = await send('10.0.0.1', 'POST', '/v1/revolts', headers, '{"name": ');
    expect(last.statusCode).toBe(429);
    expect(last.json().error.code).toBe('rate_limited');
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(last.headers).toMatchObject({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0' });
    // Counted per user and route: even a valid request on it is now refused, another route is not.
    expect((await send('10.0.0.1', 'POST', '/v1/revolts', headers, '{"name": "Fine Name"}')).statusCode).toBe(429);
    expect((await send('10.0.0.1', 'GET', '/v1/users/@me', headers)).statusCode).toBe(200);
  });

  it('failed authentications count per address and are cut off before the token is looked up', async () => {
    const user = await small.api.register('flooded');
    const limit = Math.floor(AUTH_FAILURE_LIMIT.limit * SCALE);
    // Well-formed tokens (each would cost a session read) and malformed ones alike.
    const bogus = (i: number) => (i % 2 === 0 ? `${'a'.repeat(24)}.${'b'.repeat(43)}` : 'nonsense');
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await send('10.0.0.2', 'GET', '/v1/users/@me', { authorization: `Bearer ${bogus(i)}` })).statusCode);
    expect(statuses).toEqual(Array(limit).fill(401));
    const cut = await send('10.0.0.2', 'GET', '/v1/users/@me', { authorization: `Bearer ${bogus(0)}` });
    expect(cut.statusCode).toBe(429);
    expect(cut.json().error.code).toBe('rate_limited');
    expect(Number(cut.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(cut.headers).toMatchObject({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0' });
    // Refused before the lookup: even a valid token from that address is not looked at now...
    expect((await send('10.0.0.2', 'GET', '/v1/users/@me', { authorization: `Bearer ${user.token}` })).statusCode).toBe(429);
    // ...while other addresses are unaffected.
    expect((await send('10.0.0.3', 'GET', '/v1/users/@me', { authorization: `Bearer ${user.token}` })).statusCode).toBe(200);
  });
});
