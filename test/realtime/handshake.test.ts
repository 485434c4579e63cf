import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/realtime/gateway.ts';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { GatewayClient, startGatewayServer, type GatewayServer } from './support.ts';

let server: GatewayServer;

beforeAll(async () => {
  server = await startGatewayServer('gwhello', { GATEWAY_HEARTBEAT_MS: '600', GATEWAY_IDENTIFY_TIMEOUT_MS: '500' });
});
afterAll(async () => {
  await server?.close();
});

describe('gateway handshake', () => {
  it('HELLO, IDENTIFY → READY with the user, their revolts and the channels they may view, and a session id', async () => {
    const ada = await server.api.register('ada');
    const revolt = await server.api.request('POST', '/v1/revolts', { token: ada.token, body: { name: 'Handshake Rebels' } });
    expect(revolt.status).toBe(201);
    const secret = await server.api.request('POST', `/v1/revolts/${revolt.body.id}/channels`, { token: ada.token, body: { name: 'ops' } });
    expect(secret.status).toBe(201);

    const client = await GatewayClient.connect(server.url());
    const hello = await client.next((f) => f.op === 'HELLO');
    expect(hello.d).toEqual({ heartbeatInterval: 600 });
    client.startHeartbeats(600);
    client.send('IDENTIFY', { token: ada.token });
    const ready = await client.next((f) => f.op === 'READY');
    expect(ready.d.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.d.user).toMatchObject({ id: ada.id, username: 'ada', email: ada.email });
    expect(ready.d.user).not.toHaveProperty('passwordHash');
    expect(ready.d.revolts).toHaveLength(1);
    expect(ready.d.revolts[0]).toMatchObject({ id: revolt.body.id, name: 'Handshake Rebels', ownerId: ada.id });
    expect(ready.d.revolts[0].channels.map((c: { name: string }) => c.name).sort()).toEqual(['general', 'ops']);

    client.send('HEARTBEAT', 0);
    await client.next((f) => f.op === 'HEARTBEAT_ACK');
    // Heartbeats keep it alive well past the zombie deadline (1.5 intervals).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(client.closeCode).toBeUndefined();
    await client.close();
  });

  it('READY is exact while the users read model lags: revolts joined meanwhile come from the event store, ones left are gone', async () => {
    const [owner, bo] = await Promise.all([server.api.register('owner'), server.api.register('bo')]);
    const create = (name: string) => server.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
    const [left, joined] = [(await create('Left Behind')).body, (await create('Joined Late')).body];
    const joinLeft = await server.api.request('POST', `/v1/invites/${left.inviteCode}`, { token: bo.token });
    expect(joinLeft.status).toBeLessThan(300);
    const users = server.server.engine.lane('users');
    expect(await server.server.engine.waitForPosition('users', Number(joinLeft.headers['x-event-position']), 15_000)).toBe(true);
    await users.pause();
    try {
      expect((await server.api.request('DELETE', `/v1/revolts/${left.id}/members/@me`, { token: bo.token })).status).toBeLessThan(300);
      expect((await server.api.request('POST', `/v1/invites/${joined.inviteCode}`, { token: bo.token })).status).toBeLessThan(300);
      const { client, ready } = await GatewayClient.identify(server.url(), bo.token);
      expect(ready.d.revolts.map((r: { id: string }) => r.id)).toEqual([joined.id]);
      const sent = await server.api.request('POST', `/v1/channels/${joined.channels[0]}/messages`, { token: owner.token, body: { content: 'welcome' } });
      const [message] = await client.waitFor(1, (f) => f.t === 'MessageSent');
      expect(message!.d.messageId).toBe(sent.body.id);
      await client.close();
    } finally {
      await users.resume();
    }
  });

  it('closes a connection with a bad token with 4004', async () => {
    for (const token of ['nonsense', `${'a'.repeat(24)}.${'b'.repeat(43)}`]) {
      const client = await GatewayClient.connect(server.url());
      client.send('IDENTIFY', { token });
      expect((await client.waitClosed()).code).toBe(CloseCode.AUTHENTICATION_FAILED);
    }
  });

  it('closes a connection that does not identify in time with 4003', async () => {
    const client = await GatewayClient.connect(server.url());
    await client.next((f) => f.op === 'HELLO');
    const started = Date.now();
    expect((await client.waitClosed()).code).toBe(CloseCode.NOT_AUTHENTICATED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('closes with 4003 an op that needs a session before IDENTIFY', async () => {
    const client = await GatewayClient.connect(server.url());
    client.send('PRESENCE_UPDATE', { status: 'away' });
    expect((await client.waitClosed()).code).toBe(CloseCode.NOT_AUTHENTICATED);
  });

  it('closes zombies that stop heartbeating with 4009, resumable', async () => {
    const bo = await server.api.register('bo');
    const { client, ready } = await GatewayClient.identify(server.url(), bo.token, { heartbeat: false });
    expect(ready.op).toBe('READY');
    const { code } = await client.waitClosed(5000);
    expect(code).toBe(CloseCode.SESSION_TIMED_OUT);
    const { client: again, outcome } = await GatewayClient.resume(server.url(), ready.d.sessionId, 0);
    expect(outcome.op).toBe('RESUMED');
    await again.close();
  });

  it('does not take its own stalled event loop for silence: heartbeats sent meanwhile still count', async () => {
    const fay = await server.api.register('fay');
    const { client, ready } = await GatewayClient.identify(server.url(), fay.token);
    expect(ready.op).toBe('READY');
    // The gateway runs in this process: block its event loop for more than the zombie deadline (1.5 × 600 ms).
    // The client's heartbeats fall due meanwhile and go out as the loop turns again, but the node's sweep (a timer)
    // runs before it reads its sockets (I/O is polled after timers): the stall must not count as the client's.
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      // a long synchronous task, a GC pause, or a starved CPU
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Still open: a heartbeat now is answered (a close would have come first).
    client.send('HEARTBEAT', client.lastSeq);
    await client.next((f) => f.op === 'HEARTBEAT_ACK', 10_000, client.frames.length);
    expect(client.closeCode).toBeUndefined();
    await client.close();
  });

  it('closes undecodable frames (4002), unknown ops (4001) and a second IDENTIFY (4005)', async () => {
    const cy = await server.api.register('cy');
    const garbage = await GatewayClient.connect(server.url());
    garbage.ws.send('{not json');
    expect((await garbage.waitClosed()).code).toBe(CloseCode.DECODE_ERROR);

    const malformed = await GatewayClient.connect(server.url());
    malformed.send('IDENTIFY', { tokn: 'x' });
    expect((await malformed.waitClosed()).code).toBe(CloseCode.DECODE_ERROR);

    const unknown = await GatewayClient.connect(server.url());
    unknown.send('DISPATCH', {});
    expect((await unknown.waitClosed()).code).toBe(CloseCode.UNKNOWN_OPCODE);

    const { client } = await GatewayClient.identify(server.url(), cy.token);
    client.send('IDENTIFY', { token: cy.token });
    expect((await client.waitClosed()).code).toBe(CloseCode.ALREADY_AUTHENTICATED);
  });

  it('closes with 4002 a frame whose strings hold NUL or an unpaired surrogate, before or after IDENTIFY', async () => {
    const eve = await server.api.register('eve');
    const nulToken = await GatewayClient.connect(server.url());
    nulToken.send('IDENTIFY', { token: `${eve.token}\u0000` });
    expect((await nulToken.waitClosed()).code).toBe(CloseCode.DECODE_ERROR);

    const { client } = await GatewayClient.identify(server.url(), eve.token);
    // Voice requests are otherwise answered with an error VOICE_RESPONSE; their strings reach events.
    client.send('VOICE_REQUEST', { id: 1, method: 'join', data: { channelId: '\ud800' } });
    expect((await client.waitClosed()).code).toBe(CloseCode.DECODE_ERROR);
  });

  it('answers INVALID_SESSION to a RESUME of an unknown session and lets the client IDENTIFY on the same socket', async () => {
    const di = await server.api.register('di');
    const { client, outcome } = await GatewayClient.resume(server.url(), 'f'.repeat(32), 3);
    expect(outcome).toMatchObject({ op: 'INVALID_SESSION', d: false });
    client.send('IDENTIFY', { token: di.token });
    const ready = await client.next((f) => f.op === 'READY');
    expect(ready.d.user.id).toBe(di.id);
    await client.close();
  });

  it('closes the sockets of a token that is revoked (logout) with 4004', async () => {
    const ed = await server.api.register('ed');
    const { client } = await GatewayClient.identify(server.url(), ed.token);
    expect((await server.api.request('POST', '/v1/auth/logout', { token: ed.token })).status).toBeLessThan(300);
    expect((await client.waitClosed()).code).toBe(CloseCode.AUTHENTICATION_FAILED);
  });

  it('refuses to start a second gateway on a port in use (no silent SO_REUSEPORT sharing)', async () => {
    await expect(Gateway.start(server.server.services, { port: server.gateway.port })).rejects.toThrow(/could not listen/);
  });

  it('serves a small health document and 404 elsewhere on the gateway port', async () => {
    const health = await fetch(`http://127.0.0.1:${server.gateway.port}/gateway/health`).then((r) => r.json());
    expect(health).toMatchObject({ node: server.gateway.nodeId, publisher: true });
    expect((await fetch(`http://127.0.0.1:${server.gateway.port}/nope`)).status).toBe(404);
  });
});
