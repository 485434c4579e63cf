import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
