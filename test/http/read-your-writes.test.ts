import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';

/** Short, so that a read that does wait for a paused lane shows it quickly. */
const TIMEOUT_MS = 1500;

describe('read-your-writes without asking', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    t = await startTestServer('ryw', { READ_YOUR_WRITES_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  afterAll(async () => {
    await t?.close();
  });

  const memberships = (user: { revoltMemberships?: Array<{ revoltId: string }> }) => (user.revoltMemberships ?? []).map((m) => m.revoltId);

  it('answers GET /v1/users/@me right after registering, without X-Min-Position: 20 times out of 20', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const user = await t.api.register(`fresh${i}`);
      const me = await t.api.request('GET', '/v1/users/@me', { token: user.token });
      statuses.push(me.status);
      if (me.status === 200) expect(me.body.id).toBe(user.id);
    }
    expect(statuses).toEqual(Array(20).fill(200));
  });

  it("makes only the writer's reads wait for the writer's command: another user's reads answer at once", async () => {
    const [writer, other] = [await t.api.register('writer'), await t.api.register('other')];
    expect(await t.server.engine.waitForPosition('users', other.position, 15_000)).toBe(true);
    const users = t.server.engine.lane('users');
    await users.pause();
    let revolt;
    try {
      // Answered once the revolts read model has it; the users read model (the founder's memberships) is paused.
      revolt = await t.api.request('POST', '/v1/revolts', { token: writer.token, body: { name: 'Paused' } });
      expect(revolt.status).toBe(201);

      const started = performance.now();
      const [own, seen] = await Promise.all([
        t.api.request('GET', '/v1/users/@me', { token: other.token }),
        t.api.request('GET', `/v1/users/${writer.id}`, { token: other.token }),
      ]);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS / 2);
      expect(own.status).toBe(200);
      expect(seen.status).toBe(200);

      const waited = performance.now();
      const mine = await t.api.request('GET', '/v1/users/@me', { token: writer.token });
      expect(performance.now() - waited).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(mine.status).toBe(503);
    } finally {
      await users.resume();
    }
    const mine = await t.api.request('GET', '/v1/users/@me', { token: writer.token });
    expect(mine.status).toBe(200);
    expect(memberships(mine.body)).toEqual([revolt.body.id]);
  });

  it('keeps the later of its own position and X-Min-Position, and refuses a malformed header with 400', async () => {
    const user = await t.api.register('asker');
    const ahead = (await t.server.services.store.headPosition()) + 1000;
    const started = performance.now();
    const waited = await t.api.request('GET', '/v1/users/@me', { token: user.token, headers: { 'x-min-position': String(ahead) } });
    expect(waited.status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    const malformed = await t.api.request('GET', '/v1/users/@me', { token: user.token, headers: { 'x-min-position': 'soon' } });
    expect(malformed.status).toBe(400);
  });
});
