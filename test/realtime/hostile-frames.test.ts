import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { Tally, writeReliabilityPart } from '../support/hostile/tally.ts';
import { UNICODE_EDGES } from '../support/hostile/strings.ts';
import { closeAll, GatewayClient, identified, startGatewayServer, type GatewayServer } from './support.ts';

/**
 * A hostile client against one gateway node: each malformed, oversize, unknown, out-of-order or flooding frame is
 * answered with its documented close code (src/realtime/README.md), and the node is unharmed: a well-behaved client
 * still identifies, is heard, and /gateway/health answers.
 */

let server: GatewayServer;
let token: string;
const clients: GatewayClient[] = [];
const tally = new Tally();

beforeAll(async () => {
  server = await startGatewayServer('gwhostile', { GATEWAY_HEARTBEAT_MS: '5000', GATEWAY_IDENTIFY_TIMEOUT_MS: '3000' });
  token = (await server.api.register('hostilegw')).token;
});
afterAll(async () => {
  if (process.env.UPDATE_DOCS === '1') {
    writeReliabilityPart(
      'gateway',
      '### The gateway (`test/realtime/hostile-frames.test.ts`)\n\n' +
        `${tally.total} hostile connections, each answered with the close code src/realtime/README.md documents ` +
        '(0: not closed, answered as the protocol says); afterwards a well-behaved client still identifies ' +
        'and is answered, and `/gateway/health` answers 200.\n\n' +
        tally.table('case', 'close codes'),
    );
  }
  await closeAll(clients, server);
});

/** A connected socket, HELLO received (unless `waitHello` is false), tracked for cleanup. */
async function connect(waitHello = true): Promise<GatewayClient> {
  const client = await GatewayClient.connect(server.url());
  clients.push(client);
  if (waitHello) await client.next((f) => f.op === 'HELLO');
  return client;
}

async function identifiedClient(): Promise<GatewayClient> {
  return (await identified(clients, server.url(), token)).client;
}

/** Sends `frames` (text as is, Buffers as binary frames) and returns the close code, counted under `label`. */
async function closeCodeOf(label: string, client: GatewayClient, frames: (string | Buffer)[]): Promise<number> {
  for (const f of frames) client.ws.send(f, { binary: Buffer.isBuffer(f) });
  const { code } = await client.waitClosed(15_000);
  tally.count(label, code);
  return code;
}

const raw = (value: unknown) => JSON.stringify(value);

describe('gateway: every hostile frame is closed with its documented code', () => {
  const undecodable: [string, string | Buffer][] = [
    ['not JSON', '{not json'],
    ['empty frame', ''],
    ['JSON null', 'null'],
    ['JSON array', '[1,2]'],
    ['JSON string', '"IDENTIFY"'],
    ['IDENTIFY without d', raw({ op: 'IDENTIFY' })],
    ['IDENTIFY with a number token', raw({ op: 'IDENTIFY', d: { token: 123 } })],
    ['IDENTIFY with an oversize token', raw({ op: 'IDENTIFY', d: { token: 'x'.repeat(600) } })],
    ['IDENTIFY with an operator for a token', raw({ op: 'IDENTIFY', d: { token: { $ne: null } } })],
    ['RESUME with a bad session id', raw({ op: 'RESUME', d: { sessionId: '../../etc', seq: 0 } })],
    ['RESUME with a negative seq', raw({ op: 'RESUME', d: { sessionId: 'f'.repeat(32), seq: -1 } })],
    ['HEARTBEAT with a string', raw({ op: 'HEARTBEAT', d: 'x' })],
    ['IDENTIFY token holding NUL', raw({ op: 'IDENTIFY', d: { token: 'a\u0000b' } })],
    ['IDENTIFY token holding a lone surrogate', '{"op":"IDENTIFY","d":{"token":"a\\ud800b"}}'],
    ['deeply nested d', `{"op":"IDENTIFY","d":${'['.repeat(3000)}${']'.repeat(3000)}}`],
    ['binary frame of JSON', Buffer.from(raw({ op: 'IDENTIFY', d: { token: 'x' } }))],
    ['binary frame of garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
  ];
  it.each(undecodable)('%s: 4002', async (label, payload) => {
    expect(await closeCodeOf(label, await connect(), [payload])).toBe(CloseCode.DECODE_ERROR);
  });

  it.each([['FOO'], ['DISPATCH'], ['READY'], ['HELLO'], ['HEARTBEAT_ACK'], ['__proto__'], ['constructor'], ['toString'], [''], [null], [42], [{ $ne: null }]])(
    'unknown op %j: 4001',
    async (op) => {
      expect(await closeCodeOf(`unknown op ${JSON.stringify(op)}`, await connect(), [raw({ op, d: null })])).toBe(CloseCode.UNKNOWN_OPCODE);
    },
  );

  it('an oversize frame (over 16 KiB): dropped without a close frame, 1006', async () => {
    const code = await closeCodeOf('oversize frame (17 KiB)', await connect(), [raw({ op: 'HEARTBEAT', d: null, pad: 'x'.repeat(17 * 1024) })]);
    expect(code).toBe(1006);
  });

  it('a garbage token: 4004', async () => {
    expect(await closeCodeOf('IDENTIFY with a garbage token', await connect(), [raw({ op: 'IDENTIFY', d: { token: 'Bearer nothing.at.all' } })])).toBe(CloseCode.AUTHENTICATION_FAILED);
  });

  it('PRESENCE_UPDATE or VOICE_REQUEST before IDENTIFY: 4003', async () => {
    expect(await closeCodeOf('PRESENCE_UPDATE before IDENTIFY', await connect(), [raw({ op: 'PRESENCE_UPDATE', d: { status: 'away' } })])).toBe(CloseCode.NOT_AUTHENTICATED);
    expect(await closeCodeOf('VOICE_REQUEST before IDENTIFY', await connect(), [raw({ op: 'VOICE_REQUEST', d: { id: 1, method: 'leave' } })])).toBe(CloseCode.NOT_AUTHENTICATED);
  });

  it('IDENTIFY twice, RESUME after IDENTIFY: 4005', async () => {
    expect(await closeCodeOf('IDENTIFY twice', await identifiedClient(), [raw({ op: 'IDENTIFY', d: { token } })])).toBe(CloseCode.ALREADY_AUTHENTICATED);
    const resumeAfter = await identifiedClient();
    expect(await closeCodeOf('RESUME after IDENTIFY', resumeAfter, [raw({ op: 'RESUME', d: { sessionId: 'f'.repeat(32), seq: 0 } })])).toBe(CloseCode.ALREADY_AUTHENTICATED);
  });

  it('IDENTIFY then RESUME in one burst, before READY: 4005', async () => {
    const client = await connect();
    expect(await closeCodeOf('IDENTIFY and RESUME before READY', client, [raw({ op: 'IDENTIFY', d: { token } }), raw({ op: 'RESUME', d: { sessionId: 'f'.repeat(32), seq: 0 } })])).toBe(
      CloseCode.ALREADY_AUTHENTICATED,
    );
  });

  it('RESUME sent before HELLO arrives: answered INVALID_SESSION (an unknown session), the socket stays usable', async () => {
    const client = await connect(false);
    client.send('RESUME', { sessionId: 'f'.repeat(32), seq: 7 });
    expect(await client.next((f) => f.op === 'INVALID_SESSION')).toMatchObject({ d: false });
    client.send('IDENTIFY', { token });
    expect((await client.next((f) => f.op === 'READY')).d.sessionId).toMatch(/^[0-9a-f]{32}$/);
    tally.count('RESUME before HELLO (then IDENTIFY: READY)', 0);
    await client.close();
  });

  it('no IDENTIFY within the deadline: 4003', async () => {
    expect(await closeCodeOf('silent after HELLO', await connect(), [])).toBe(CloseCode.NOT_AUTHENTICATED);
  });

  it('a HEARTBEAT flood and a message flood (over 60 frames in 10 s): 4008', async () => {
    const heartbeats = Array.from({ length: 80 }, () => raw({ op: 'HEARTBEAT', d: null }));
    expect(await closeCodeOf('HEARTBEAT flood (80 frames)', await identifiedClient(), heartbeats)).toBe(CloseCode.RATE_LIMITED);
    const presence = Array.from({ length: 80 }, (_, i) => raw({ op: 'PRESENCE_UPDATE', d: { status: i % 2 ? 'away' : 'online' } }));
    expect(await closeCodeOf('PRESENCE_UPDATE flood (80 frames)', await identifiedClient(), presence)).toBe(CloseCode.RATE_LIMITED);
    const voice = Array.from({ length: 80 }, (_, i) => raw({ op: 'VOICE_REQUEST', d: { id: i, method: 'nonsense', data: {} } }));
    expect(await closeCodeOf('VOICE_REQUEST flood (80 frames)', await identifiedClient(), voice)).toBe(CloseCode.RATE_LIMITED);
  });

  it('generated garbage before IDENTIFY: always closed with 4001, 4002 or 4003, or answered as the protocol says', async () => {
    const documented = new Set<number>([CloseCode.UNKNOWN_OPCODE, CloseCode.DECODE_ERROR, CloseCode.NOT_AUTHENTICATED, CloseCode.AUTHENTICATION_FAILED]);
    const ops = fc.constantFrom('IDENTIFY', 'RESUME', 'HEARTBEAT', 'PRESENCE_UPDATE', 'VOICE_REQUEST', 'DISPATCH', 'identify');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...UNICODE_EDGES));
    const frameText = fc.oneof(
      text,
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ op: ops, d: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ token: text }), fc.record({ sessionId: text, seq: fc.integer() })) }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(frameText, async (payload) => {
        const client = await connect();
        client.ws.send(payload);
        const answer = await client.next((f) => f.op !== 'HELLO', 10_000).catch(() => undefined);
        if (client.closeCode !== undefined) {
          tally.count('generated garbage frame', client.closeCode);
          if (!documented.has(client.closeCode)) throw new Error(`closed with ${client.closeCode} after ${payload.slice(0, 200)}`);
          return;
        }
        // Not closed: a valid HEARTBEAT (HEARTBEAT_ACK) or a RESUME of an unknown session (INVALID_SESSION).
        tally.count('generated garbage frame', 0);
        if (!answer || !['HEARTBEAT_ACK', 'INVALID_SESSION'].includes(answer.op)) throw new Error(`answered ${JSON.stringify(answer)} to ${payload.slice(0, 200)}`);
        await client.close();
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 40), seed: Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 120_000);

  it('leaves the node unharmed: a new client identifies and is heard, /gateway/health answers', async () => {
    const client = await identifiedClient();
    client.send('HEARTBEAT', null);
    await client.next((f) => f.op === 'HEARTBEAT_ACK');
    const health = await fetch(`http://127.0.0.1:${server.gateway.port}/gateway/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toBeTypeOf('object');
    expect(client.closeCode).toBeUndefined();
  });
});
