import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEngines } from '../support/engines.ts';
import { freePort, GatewayProcess, http, ServerProcess } from '../support/process.ts';
import { eventually, GatewayClient, sleep } from './support.ts';

const engines = isolatedEngines('gwproc');
let api: ServerProcess;
let nodes: GatewayProcess[] = [];
let survivor = 0;
const clients: GatewayClient[] = [];

/** Three processes start at once (each loading the whole app through tsx): minutes, not seconds, on a busy machine. */
const START_TIMEOUT_MS = 150_000;

beforeAll(async () => {
  // Heartbeats every 5 s: these clients live in this (test) process, and a stall of it of a few seconds under load
  // must not make the gateway nodes, which run elsewhere, take them for zombies.
  const env = { ...engines.env, RATE_LIMIT_SCALE: '100', GATEWAY_HEARTBEAT_MS: '5000' };
  api = new ServerProcess({ ...env, RUN_GATEWAY: 'false' }, await freePort());
  nodes = [new GatewayProcess(env, await freePort()), new GatewayProcess(env, await freePort())];
  await Promise.all([api.start(START_TIMEOUT_MS), ...nodes.map((n) => n.start(START_TIMEOUT_MS))]);
}, START_TIMEOUT_MS + 30_000);
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([api?.stop('SIGKILL'), ...nodes.map((n) => n.stop('SIGKILL'))]);
  await engines.drop();
});

async function register(name: string) {
  const res = await http(api.url, 'POST', '/v1/auth/register', { body: { email: `${name}-${Date.now()}@example.com`, username: name, password: 'correct horse battery' } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, token: res.body.token as string };
}

describe('gateway processes (npm start shape: an API node and two gateway-only nodes)', () => {
  it('survives the publishing node being killed: the other takes over the stream, and the dead node’s sessions resume on it', async () => {
    const ada = await register('ada');
    const bo = await register('bo');
    const revolt = await http(api.url, 'POST', '/v1/revolts', { token: ada.token, body: { name: 'Crash Rebels' } });
    const general = revolt.body.channels[0] as string;
    expect((await http(api.url, 'POST', `/v1/invites/${revolt.body.inviteCode}`, { token: bo.token })).status).toBe(200);

    const healths = await eventually(async () => {
      const all = await Promise.all(nodes.map((n) => n.health()));
      return all.filter((h) => h?.publisher).length === 1 && all;
    }, 30_000, 'one publisher among the nodes');
    const doomed = healths.findIndex((h) => h!.publisher);
    survivor = 1 - doomed;

    const { client: victim, ready } = await GatewayClient.identify(nodes[doomed]!.url, bo.token);
    const { client: witness } = await GatewayClient.identify(nodes[survivor]!.url, ada.token);
    clients.push(victim, witness);
    const sent: Array<{ id: string; position: number }> = [];
    let stop = false;
    const sender = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await http(api.url, 'POST', `/v1/channels/${general}/messages`, { token: ada.token, body: { content: `crash ${i}` } });
        expect(res.status).toBe(201);
        sent.push({ id: res.body.id, position: Number(res.headers.get('x-event-position')) });
        await sleep(20);
      }
    })();
    await victim.waitFor(10, (f) => f.t === 'MessageSent', 30_000);
    expect(await nodes[doomed]!.stop('SIGKILL')).toBeNull();
    const { code } = await victim.waitClosed();
    expect(code).toBe(1006);

    // The session's owner died without storing its latest dispatches: the resume waits for it, takes the session
    // anyway and recounts from the last stored point (the live and replay routing agree, so the numbering holds).
    const { client: resumed, outcome } = await GatewayClient.resume(nodes[survivor]!.url, ready.d.sessionId, victim.lastSeq);
    clients.push(resumed);
    expect(outcome.op).toBe('RESUMED');
    await eventually(async () => (await nodes[survivor]!.health())?.publisher, 30_000, 'the survivor to publish');
    await sleep(500);
    stop = true;
    await sender;
    const last = sent.at(-1)!.id;
    await resumed.waitFor(1, (f) => f.d?.messageId === last, 30_000);
    await witness.waitFor(1, (f) => f.d?.messageId === last, 30_000);

    const ids = (c: GatewayClient) => c.of('MessageSent').map((f) => f.d.messageId);
    expect([...ids(victim), ...ids(resumed)]).toEqual(sent.map((m) => m.id));
    expect(ids(witness)).toEqual(sent.map((m) => m.id));
    const seqs = [...victim.dispatches, ...resumed.dispatches].map((f) => f.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 150_000);

  it('a gateway node stops cleanly on SIGINT, telling its clients to reconnect', async () => {
    const cy = await register('cy');
    const { client } = await GatewayClient.identify(nodes[survivor]!.url, cy.token);
    expect(await nodes[survivor]!.stop('SIGINT')).toBe(0);
    expect((await client.waitClosed()).code).toBe(1012);
    expect(client.frames.at(-1)!.op).toBe('RECONNECT');
  });
});
