import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEngines } from '../support/engines.ts';
import { freePort, http, ServerProcess } from '../support/process.ts';

const engines = isolatedEngines('e2e');
let server: ServerProcess;

beforeAll(async () => {
  server = new ServerProcess({ ...engines.env, RATE_LIMIT_SCALE: '100' }, await freePort());
  await server.start();
}, 60_000);
afterAll(async () => {
  await server?.stop('SIGKILL');
  await engines.drop();
});

async function register(name: string) {
  const res = await http(server.url, 'POST', '/v1/auth/register', {
    body: { email: `${name}-${Date.now()}@example.com`, username: name, password: 'correct horse battery' },
  });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, token: res.body.token as string };
}

/** Projections resume by themselves after a crash; wait (bounded) until every lane has applied `head`. */
async function caughtUp(head: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lanes = Object.values((await http(server.url, 'GET', '/health')).body.checks[3].detail) as Array<{ checkpoint: number }>;
    if (lanes.every((lane) => lane.checkpoint >= head)) return;
    if (Date.now() > deadline) throw new Error(`projections stuck: ${JSON.stringify(lanes)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the running server, driven over HTTP', () => {
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;

  it('serves the slice: register, create, join by invite, send, page', async () => {
    alice = await register('alice');
    bob = await register('bob');
    const revolt = await http(server.url, 'POST', '/v1/revolts', { token: alice.token, body: { name: 'E2E Rebels' } });
    expect(revolt.status).toBe(201);
    general = revolt.body.channels[0];
    expect((await http(server.url, 'POST', `/v1/invites/${revolt.body.inviteCode}`, { token: bob.token })).status).toBe(200);
    const first = await http(server.url, 'POST', `/v1/channels/${general}/messages`, { token: alice.token, body: { content: 'hello bob' } });
    const second = await http(server.url, 'POST', `/v1/channels/${general}/messages`, { token: bob.token, body: { content: 'hello alice' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    const page = await http(server.url, 'GET', `/v1/channels/${general}/messages`, {
      token: bob.token,
      headers: { 'x-min-position': second.headers.get('x-event-position') ?? '' },
    });
    expect(page.body.items.map((m: { content: string }) => m.content)).toEqual(['hello alice', 'hello bob']);
  });

  it('loses no accepted command when the server is killed mid-load and restarted', async () => {
    const accepted: string[] = [];
    let stop = false;
    const senders = [alice, bob].map(async (user, s) => {
      for (let i = 0; !stop; i++) {
        const res = await http(server.url, 'POST', `/v1/channels/${general}/messages`, { token: user.token, body: { content: `load ${s}-${i}` } }).catch(() => null);
        if (res?.status === 201) accepted.push(res.body.id);
        if (!res) return;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await server.stop('SIGKILL')).toBeNull();
    stop = true;
    await Promise.all(senders);
    expect(accepted.length).toBeGreaterThan(10);

    await server.start();
    const head = (await http(server.url, 'GET', '/health')).body.checks[0].detail.head as number;
    await caughtUp(head);
    const seen = new Set<string>();
    let before = '';
    for (;;) {
      const page = await http(server.url, 'GET', `/v1/channels/${general}/messages?limit=100${before}`, {
        token: alice.token,
        headers: { 'x-min-position': String(head) },
      });
      expect(page.status).toBe(200);
      for (const m of page.body.items) seen.add(m.id);
      if (page.body.items.length < 100) break;
      before = `&before=${page.body.items.at(-1).id}`;
    }
    expect(accepted.filter((id) => !seen.has(id))).toEqual([]);
  }, 60_000);

  it('stops cleanly on SIGINT', async () => {
    expect(await server.stop('SIGINT')).toBe(0);
  });
});
