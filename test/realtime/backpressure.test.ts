import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { commandsOf, type User } from './fixture.ts';
import { closeAll, GatewayClient, startGatewayServer, type GatewayServer } from './support.ts';

let server: GatewayServer;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  server = await startGatewayServer('gwslow', { GATEWAY_MAX_BUFFERED_BYTES: String(64 * 1024) });
});
afterAll(() => closeAll(clients, server));

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
    // Stops reading (the kernel buffers fill, then the gateway's) but keeps heartbeating: only its reading is slow,
    // so it cannot be closed as a zombie (4009) however long this takes on a loaded machine.
    slow.ws.pause();

    // Big frames, so that about a hundred messages fill what the kernel buffers on loopback (the gateway's send
    // buffer grows to several MiB) before the gateway's own 64 KiB: the content plus three embeds whose URLs (not
    // counted in the embeds' 6000 characters of text) make ~40 KB a message, still less than that 64 KiB (a frame
    // bigger than GATEWAY_MAX_BUFFERED_BYTES leaves no room for the close frame). 4 KB ones took over a thousand.
    const big = 'x'.repeat(3900);
    const url = (kind: string, i: number) => `https://example.com/${kind}/${i}/${'x'.repeat(2000)}`;
    const embeds = Array.from({ length: 3 }, (_, i) => ({
      url: url('e', i),
      thumbnail: { url: url('t', i) },
      image: { url: url('i', i) },
      author: { name: 'a', url: url('a', i), iconUrl: url('ai', i) },
      footer: { text: 'f', iconUrl: url('fi', i) },
    }));
    const send = async (n: number) => {
      const { body, position } = await cmd.ok('POST', `/v1/channels/${revolt.general}/messages`, ada.token, { content: `${big} ${n}`, embeds });
      return { id: body.id as string, position };
    };
    const sent: Array<{ id: string; position: number }> = [];
    const started = Date.now();
    // Until the gateway gives up on the slow socket (it counts two sockets until then): a condition on what was
    // sent, with a deadline only against sending forever.
    while (server.gateway.stats.sockets === 2) {
      if (Date.now() - started > 120_000) throw new Error(`the slow socket was still open after ${sent.length} messages`);
      const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => send(sent.length + i)));
      sent.push(...batch);
      // The fast client keeps up all along: it gets every message while the slow one holds its frames (and the
      // gateway closes the slow socket in the same write that overflows it, before this resolves).
      await fast.waitFor(sent.length, (f) => f.t === 'MessageSent', 30_000);
    }
    expect(server.gateway.stats.sockets).toBe(1);
    slow.ws.resume(); // reads what was buffered, then the close frame
    const { code } = await slow.waitClosed(30_000);
    expect(code).toBe(CloseCode.SLOW_CONSUMER);
    expect(slow.lastSeq).toBeLessThanOrEqual(fast.lastSeq);

    const { client: back, outcome } = await GatewayClient.resume(server.url(), ready.d.sessionId, slow.lastSeq);
    clients.push(back);
    expect(outcome.op).toBe('RESUMED');
    const got = [...slow.of('MessageSent'), ...back.of('MessageSent')].map((f) => f.d.messageId);
    expect(got).toEqual(sent.sort((a, b) => a.position - b.position).map((m) => m.id));
  }, 180_000);
});
