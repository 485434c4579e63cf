import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { commandsOf, type User } from './fixture.ts';
import { GatewayClient, startGatewayServer, type GatewayServer } from './support.ts';

let server: GatewayServer;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  server = await startGatewayServer('gwslow', { GATEWAY_MAX_BUFFERED_BYTES: String(64 * 1024) });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await server?.close();
});

describe('backpressure', () => {
  it('disconnects a client that stops reading with 4010 (resume), without holding up the others; it then resumes with nothing lost', async () => {
    const cmd = commandsOf(server);
    const [ada, bo, cy]: [User, User, User] = await Promise.all([server.api.register('ada'), server.api.register('bo'), server.api.register('cy')]);
    const revolt = await cmd.revolt(ada, 'Slow Rebels');
    await cmd.join(bo, revolt.invite);
    await cmd.join(cy, revolt.invite);
    const fast = (await GatewayClient.identify(server.url(), bo.token)).client;
    const { client: slow, ready } = await GatewayClient.identify(server.url(), cy.token);
    clients.push(fast, slow);
    slow.stopHeartbeats();
    slow.ws.pause(); // stops reading: the kernel buffers fill, then the gateway's

    const big = 'x'.repeat(3900);
    const sent: Array<{ id: string; position: number }> = [];
    const started = Date.now();
    // Until the gateway gives up on the slow socket (it counts two sockets until then).
    while (server.gateway.stats.sockets === 2 && Date.now() - started < 25_000) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => cmd.send(ada, revolt.general, `${big} ${sent.length + i}`)));
      sent.push(...batch);
      // The fast client keeps up all along.
      await fast.waitFor(sent.length, (f) => f.t === 'MessageSent', 5000);
    }
    expect(server.gateway.stats.sockets).toBe(1);
    slow.ws.resume(); // reads what was buffered, then the close frame
    const { code } = await slow.waitClosed(10_000);
    expect(code).toBe(CloseCode.SLOW_CONSUMER);
    expect(slow.lastSeq).toBeLessThanOrEqual(fast.lastSeq);

    const { client: back, outcome } = await GatewayClient.resume(server.url(), ready.d.sessionId, slow.lastSeq);
    clients.push(back);
    expect(outcome.op).toBe('RESUMED');
    const got = [...slow.of('MessageSent'), ...back.of('MessageSent')].map((f) => f.d.messageId);
    expect(got).toEqual(sent.sort((a, b) => a.position - b.position).map((m) => m.id));
  }, 45_000);
});
