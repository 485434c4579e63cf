import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { gatewayCommunity, steadySender, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, eventually, GatewayClient, identified, sleep, type Frame, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

const connect = (user: User, node: number) => identified(clients, server.url(node), user.token);

const ids = (frames: Frame[], prefix: string) => frames.filter((f) => f.t === 'MessageSent' && f.d.content.startsWith(prefix)).map((f) => f.d.messageId as string);

beforeAll(async () => {
  // Two gateway nodes on their own ports, behind one event stream: one of them publishes it.
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwnodes', 'Two Node Rebels', ['ada', 'bo'], {}, [{}, {}]));
  [ada, bo] = users as [User, User];
});
afterAll(() => closeAll(clients, server));

describe('several gateway nodes', () => {
  it('elect one publisher, and a client on either node sees the same stream', async () => {
    await eventually(() => server.gateways.filter((g) => g.isPublisher).length === 1, 10_000, 'one publisher');
    expect(server.gateways.map((g) => g.port)).toHaveLength(2);
    expect(server.gateways[0]!.port).not.toBe(server.gateways[1]!.port);
    const { client: left } = await connect(bo, 0);
    const { client: right } = await connect(bo, 1);
    const sends = [ada, bo].map(async (user, u) => {
      for (let i = 0; i < 15; i++) await cmd.send(user, revolt.general, `both ${u}-${i}`);
    });
    await Promise.all(sends);
    const a = await left.waitFor(30, (f) => f.t === 'MessageSent' && f.d.content.startsWith('both'));
    const b = await right.waitFor(30, (f) => f.t === 'MessageSent' && f.d.content.startsWith('both'));
    expect(a.map((f) => f.d.messageId)).toEqual(b.map((f) => f.d.messageId));
    expect(new Set(a.map((f) => f.d.messageId)).size).toBe(30);
  });

  it('resumes on one node a session that another node served, with no loss and no duplicates', async () => {
    const { client: first, sessionId } = await connect(bo, 0);
    const sender = steadySender(server, ada, revolt.general, 'cross');
    await first.waitFor(10, (f) => f.t === 'MessageSent' && f.d.content.startsWith('cross'));
    await first.drop();
    await sleep(200);
    const { client: second, outcome } = await GatewayClient.resume(server.url(1), sessionId, first.lastSeq);
    clients.push(second);
    expect(outcome.op).toBe('RESUMED');
    await sleep(200);
    const sent = await sender.stop();
    await second.waitFor(1, (f) => f.d?.messageId === sent.at(-1)!.id);
    expect([...ids(first.dispatches, 'cross'), ...ids(second.dispatches, 'cross')]).toEqual(sent.map((m) => m.id));
    const seqs = [...first.dispatches, ...second.dispatches].map((f) => f.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('carries on when the publishing node stops: its clients are told to reconnect and resume on the other node', async () => {
    const publisherIndex = server.gateways.findIndex((g) => g.isPublisher);
    const other = 1 - publisherIndex;
    const { client: leaving, sessionId } = await connect(bo, publisherIndex);
    const { client: staying } = await connect(ada, other);
    const sender = steadySender(server, ada, revolt.general, 'failover');
    await leaving.waitFor(5, (f) => f.t === 'MessageSent' && f.d.content.startsWith('failover'));
    await server.gateways[publisherIndex]!.close();
    const { code } = await leaving.waitClosed();
    expect(code).toBe(CloseCode.SERVICE_RESTART);
    expect(leaving.frames.at(-1)!.op).toBe('RECONNECT');
    const { client: resumed, outcome } = await GatewayClient.resume(server.url(other), sessionId, leaving.lastSeq);
    clients.push(resumed);
    expect(outcome.op).toBe('RESUMED');
    // The lease runs out and the remaining node takes over the stream.
    await eventually(() => server.gateways[other]!.isPublisher, 15_000, 'the other node to publish');
    await sleep(300);
    const sent = await sender.stop();
    for (const client of [resumed, staying]) await client.waitFor(1, (f) => f.d?.messageId === sent.at(-1)!.id, 15_000);
    expect([...ids(leaving.dispatches, 'failover'), ...ids(resumed.dispatches, 'failover')]).toEqual(sent.map((m) => m.id));
    expect(ids(staying.dispatches, 'failover')).toEqual(sent.map((m) => m.id));
  });
});
