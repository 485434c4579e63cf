import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/realtime/protocol.ts';
import { Replay } from '../../src/realtime/replay.ts';
import { Session } from '../../src/realtime/session.ts';
import { gatewayCommunity, steadySender, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, eventually, GatewayClient, identified, sleep, type Frame, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

const connect = (user: User) => identified(clients, server.url(), user.token);

async function resume(sessionId: string, seq: number) {
  const { client, outcome } = await GatewayClient.resume(server.url(), sessionId, seq);
  clients.push(client);
  return { client, outcome };
}

const messageIds = (frames: Frame[], prefix: string) => frames.filter((f) => f.t === 'MessageSent' && f.d.content.startsWith(prefix)).map((f) => f.d.messageId as string);

beforeAll(async () => {
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwresume', 'Resume Rebels', ['ada', 'bo'], { GATEWAY_HEARTBEAT_MS: '1000' }));
  [ada, bo] = users as [User, User];
});
afterAll(() => closeAll(clients, server));

describe('RESUME', () => {
  it('after a dropped connection, while messages keep flowing: every message once, sequence numbers unbroken', async () => {
    const { client: first, sessionId } = await connect(bo);
    const sender = steadySender(server, ada, revolt.general, 'flow');
    await first.waitFor(15, (f) => f.t === 'MessageSent');
    await first.drop();
    const lastSeq = first.lastSeq;
    // More messages land while bo is away (and reach the gateway, so that the resume has them to replay).
    const seen = new Set(messageIds(first.dispatches, 'flow'));
    await sender.accepted(2, (m) => !seen.has(m.id));
    const missed = sender.sent.find((m) => !seen.has(m.id))!;
    await eventually(() => server.gateway.position >= missed.position, 30_000, 'the gateway to dispatch a missed message');
    const { client: second, outcome } = await resume(sessionId, lastSeq);
    expect(outcome.op).toBe('RESUMED');
    expect(outcome.d.sessionId).toBe(sessionId);
    // The replayed dispatches come before RESUMED, and continue the numbering.
    const replayed = second.frames.slice(0, second.frames.indexOf(outcome)).filter((f) => f.op === 'DISPATCH');
    expect(replayed.length).toBeGreaterThan(0);
    // And more after it, live.
    await sender.accepted(sender.sent.length + 2);
    const sent = await sender.stop();
    await second.waitFor(1, (f) => f.d?.messageId === sent.at(-1)!.id);

    const received = [...messageIds(first.dispatches, 'flow'), ...messageIds(second.dispatches, 'flow')];
    expect(received).toEqual(sent.map((m) => m.id));
    const seqs = [...first.dispatches, ...second.dispatches].map((f) => f.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('replays the dispatches a client lost in flight with the same numbers, and takes the session over from a socket still open', async () => {
    const { client: first, sessionId } = await connect(bo);
    // No heartbeat may acknowledge the frames this client will pretend it lost, but it keeps heartbeating (with
    // null: acknowledging nothing), so the node never takes it for a zombie however long the sends below take.
    first.acknowledge = false;
    const sent = [];
    for (let i = 0; i < 8; i++) sent.push(await cmd.send(ada, revolt.general, `again ${i}`));
    await first.waitFor(8, (f) => f.t === 'MessageSent' && f.d.content.startsWith('again'));
    const got = first.dispatches;
    // Pretend the last three never arrived; the old socket is still open (a half-dead connection).
    const seq = got.at(-3)!.s! - 1;
    const { client: second, outcome } = await resume(sessionId, seq);
    expect(outcome.op).toBe('RESUMED');
    expect((await first.waitClosed()).code).toBe(CloseCode.SESSION_REPLACED);
    const replayed = second.dispatches.slice(0, 3);
    expect(replayed.map((f) => [f.s, f.t, f.d.messageId])).toEqual(got.slice(-3).map((f) => [f.s, f.t, f.d.messageId]));
    const next = await cmd.send(ada, revolt.general, 'after the takeover');
    const live = await second.next((f) => f.d?.messageId === next.id);
    expect(live.s).toBe(got.at(-1)!.s! + 1);
  });

  it('replays only what the session may see: a kick while away ends the revolt for it', async () => {
    const cy = await server.api.register('cy');
    await cmd.join(cy, revolt.invite);
    const secret = await cmd.channel(ada, revolt.id, 'away-secret');
    await cmd.overwrite(ada, secret, revolt.everyone, { type: 'role', deny: ['VIEW_CHANNEL'] });
    const { client: first, sessionId } = await connect(cy);
    const seen = await cmd.send(ada, revolt.general, 'away seen');
    await first.waitFor(1, (f) => f.d?.messageId === seen.id);
    await first.drop();
    const hidden = await cmd.send(ada, secret, 'away hidden');
    const open = await cmd.send(ada, revolt.general, 'away open');
    const kick = await cmd.kick(ada, revolt.id, cy.id);
    const late = await cmd.send(ada, revolt.general, 'away late');
    const { client: second, outcome } = await resume(sessionId, first.lastSeq);
    expect(outcome.op).toBe('RESUMED');
    const replayed = second.dispatches.map((f) => [f.t, f.d.messageId ?? f.d.reason ?? f.d.userId]);
    expect(replayed).toContainEqual(['MessageSent', open.id]);
    expect(replayed.slice(-2)).toEqual([
      ['MemberKicked', cy.id],
      ['RevoltUnavailable', 'kicked'],
    ]);
    const all = JSON.stringify(second.frames);
    expect(all).not.toContain(hidden.id);
    expect(all).not.toContain(late.id);
    expect(kick.position).toBeGreaterThan(open.position);
    // And no live delivery either: cy's own status change reaches cy after anything sent before it.
    const later = await cmd.send(ada, revolt.general, 'away later');
    await cmd.ok('PUT', '/v1/users/@me/status', cy.token, { status: 'away' });
    await second.next((f) => f.t === 'UserStatusChanged' && f.d.status === 'away');
    expect(JSON.stringify(second.frames)).not.toContain(later.id);
  });

  it('answers INVALID_SESSION for an unknown session or a sequence older than the client acknowledged, and forgets the session', async () => {
    const { client: first, sessionId } = await connect(bo);
    for (let i = 0; i < 3; i++) await cmd.send(ada, revolt.general, `ack ${i}`);
    await first.waitFor(3, (f) => f.t === 'MessageSent' && f.d.content.startsWith('ack'));
    first.send('HEARTBEAT', first.lastSeq); // acknowledges everything so far
    await first.next((f) => f.op === 'HEARTBEAT_ACK', 5000, first.frames.length - 1);
    await first.close();
    const { outcome: unknown } = await resume('0'.repeat(32), 1);
    expect(unknown).toMatchObject({ op: 'INVALID_SESSION', d: false });
    const { outcome: tooOld } = await resume(sessionId, 0);
    expect(tooOld.op).toBe('INVALID_SESSION');
    // Gone for good: even the right sequence no longer resumes it.
    const { outcome: gone } = await resume(sessionId, first.lastSeq);
    expect(gone.op).toBe('INVALID_SESSION');
  });

  it("a RESUME of someone else's session without its owner's token leaves the holder connected and the session intact", async () => {
    const { client: victim, sessionId } = await connect(bo);
    const bogus = `${'a'.repeat(24)}.${'b'.repeat(43)}`;
    for (const token of ['nonsense', bogus]) {
      const attacker = await GatewayClient.connect(server.url());
      clients.push(attacker);
      attacker.startHeartbeats((await attacker.next((f) => f.op === 'HELLO')).d.heartbeatInterval);
      attacker.send('RESUME', { sessionId, seq: 0, token });
      expect((await attacker.waitClosed()).code).toBe(CloseCode.AUTHENTICATION_FAILED);
      expect(victim.closeCode).toBeUndefined();
    }
    // A valid token of another user: that session is not theirs, so it is unknown to them.
    const { client: other, outcome: foreign } = await GatewayClient.resume(server.url(), sessionId, 0, { token: ada.token });
    clients.push(other);
    expect(foreign).toMatchObject({ op: 'INVALID_SESSION', d: false });

    const after = await cmd.send(ada, revolt.general, 'still here');
    await victim.waitFor(1, (f) => f.d?.messageId === after.id);
    expect(victim.closeCode).toBeUndefined();
    // The session survived: its owner resumes it (with its own token) after a dropped connection.
    await victim.drop();
    const { client: back, outcome } = await GatewayClient.resume(server.url(), sessionId, victim.lastSeq, { token: bo.token });
    clients.push(back);
    expect(outcome.op).toBe('RESUMED');
  });

  it('a replay from the store reproduces exactly what live delivery sent (joins, access changes, presence, messages)', async () => {
    const dee = await server.api.register('dee');
    const store = server.server.services.store;
    await eventually(async () => server.gateway.position === (await store.headPosition()), 10_000, 'the gateway to catch up');
    const base = await store.headPosition();
    const { client, sessionId } = await connect(dee);
    await cmd.join(dee, revolt.invite);
    await client.next((f) => f.t === 'RevoltAvailable');
    const vault = await cmd.channel(ada, revolt.id, 'replay-vault');
    await cmd.overwrite(ada, vault, revolt.everyone, { type: 'role', deny: ['VIEW_CHANNEL'] });
    const role = await cmd.role(ada, revolt.id, 'replayers');
    await cmd.overwrite(ada, vault, role, { type: 'role', allow: ['VIEW_CHANNEL'] });
    await cmd.grant(ada, revolt.id, dee.id, role);
    await cmd.send(ada, vault, 'replay in the vault');
    await cmd.revoke(ada, revolt.id, dee.id, role);
    await cmd.send(ada, vault, 'replay hidden again');
    await cmd.ok('PATCH', '/v1/users/@me', ada.token, { bio: 'replayed' });
    const last = await cmd.send(bo, revolt.general, 'replay done');
    await client.waitFor(1, (f) => f.d?.messageId === last.id);
    await sleep(100);

    const session = new Session(sessionId, dee.id, 'x', 4096);
    const replay = new Replay(store, server.server.services.catalogue, session, { position: base + 1, skip: 0 }, () => {});
    await replay.prepare([]);
    await replay.run(server.gateway.position);
    const replayed = session.takeText().map((f) => JSON.parse(f) as Frame);
    expect(replayed.length).toBeGreaterThan(8);
    expect(replayed).toEqual(client.dispatches.slice(0, replayed.length));
    expect(client.dispatches.length).toBe(replayed.length);
  });
});
