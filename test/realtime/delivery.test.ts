import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommunity, steadySender, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, GatewayClient, identified, sleep, type Frame, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User; // owner
let bo: User;
let cy: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

const connect = (user: User) => identified(clients, server.url(), user.token);

const sentIn = (client: GatewayClient, channelId: string) => client.of('MessageSent', (d) => d.channelId === channelId);

beforeAll(async () => {
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwdeliver', 'Delivery Rebels', ['ada', 'bo', 'cy']));
  [ada, bo, cy] = users as [User, User, User];
});
afterAll(() => closeAll(clients, server));

describe('dispatch', () => {
  it('delivers a channel in one order to every viewer under concurrent senders, with consecutive sequence numbers', async () => {
    const { client: watcher } = await connect(cy);
    const { client: owner } = await connect(ada);
    const senders = [ada, bo].map(async (user, u) => {
      const out = [];
      for (let i = 0; i < 30; i++) out.push(await cmd.send(user, revolt.general, `burst ${u}-${i}`));
      return out;
    });
    const sent = (await Promise.all(senders)).flat().sort((a, b) => a.position - b.position);
    for (const client of [watcher, owner]) {
      const got = await client.waitFor(60, (f) => f.t === 'MessageSent' && f.d.content.startsWith('burst'), 30_000);
      // The order of the event store, which every viewer shares.
      expect(got.map((f) => f.d.messageId)).toEqual(sent.map((m) => m.id));
      const seqs = client.dispatches.map((f) => f.s);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    // 60 sends one after another per sender: ~2 s on an idle machine, close to half a minute on a loaded one.
  }, 120_000);

  it('delivers edits, deletions, reactions, pins, revolt, role and profile changes to the members who may see them', async () => {
    const { client: watcher } = await connect(cy);
    const m = await cmd.send(bo, revolt.general, 'edit me');
    await cmd.ok('PATCH', `/v1/channels/${revolt.general}/messages/${m.id}`, bo.token, { content: 'edited' });
    await cmd.ok('PUT', `/v1/channels/${revolt.general}/messages/${m.id}/reactions/${encodeURIComponent('👍')}/@me`, ada.token);
    await cmd.ok('DELETE', `/v1/channels/${revolt.general}/messages/${m.id}/reactions/${encodeURIComponent('👍')}/@me`, ada.token);
    await cmd.ok('PUT', `/v1/channels/${revolt.general}/pins/${m.id}`, ada.token);
    await cmd.ok('DELETE', `/v1/channels/${revolt.general}/pins/${m.id}`, ada.token);
    await cmd.ok('DELETE', `/v1/channels/${revolt.general}/messages/${m.id}`, bo.token);
    await cmd.ok('PATCH', `/v1/revolts/${revolt.id}`, ada.token, { description: 'now with realtime' });
    const role = await cmd.role(ada, revolt.id, 'scribes', ['SEND_MESSAGES']);
    await cmd.ok('PATCH', '/v1/users/@me', bo.token, { bio: 'I send things' });
    await cmd.ok('PUT', '/v1/users/@me/status', bo.token, { status: 'busy' });
    const types = ['MessageSent', 'MessageEdited', 'ReactionAdded', 'ReactionRemoved', 'MessagePinned', 'MessageUnpinned', 'MessageDeleted', 'RevoltUpdated', 'RoleCreated', 'UserProfileUpdated'];
    await watcher.waitFor(1, (f) => f.t === 'UserProfileUpdated');
    const seen = watcher.dispatches.map((f) => f.t);
    for (const t of types) expect(seen, t).toContain(t);
    expect(watcher.of('MessageEdited')[0]!.d).toMatchObject({ messageId: m.id, content: 'edited' });
    expect(watcher.of('RoleCreated')[0]!.d).toMatchObject({ roleId: role, name: 'scribes' });
    // A status is the user's own business: others see presence (bo has no socket, so nothing changed for them).
    expect(seen).not.toContain('UserStatusChanged');
  });

  it('keeps a private channel (an @everyone deny, a member allow) from a member who may not view it', async () => {
    const { client: insider } = await connect(bo);
    const { client: outsider } = await connect(cy);
    const secret = await cmd.channel(ada, revolt.id, 'war-room');
    await cmd.overwrite(ada, secret, revolt.everyone, { type: 'role', deny: ['VIEW_CHANNEL'] });
    await cmd.overwrite(ada, secret, bo.id, { type: 'member', allow: ['VIEW_CHANNEL'] });
    const hidden = await cmd.send(ada, secret, 'the plan');
    const open = await cmd.send(ada, revolt.general, 'the cover story');
    await insider.waitFor(1, (f) => f.d?.messageId === hidden.id);
    await outsider.waitFor(1, (f) => f.d?.messageId === open.id);
    expect(sentIn(outsider, secret)).toEqual([]);
    // cy saw the channel appear and then lose it: the overwrite that hid it, then the change of access.
    const access = outsider.of('ChannelAccessChanged', (d) => d.revoltId === revolt.id);
    expect(access.at(-1)!.d).toMatchObject({ removed: [secret], added: [] });
    expect(JSON.stringify(outsider.dispatches.slice(outsider.dispatches.indexOf(access.at(-1)!) + 1))).not.toContain(secret);
    // Typing follows the same topics.
    await cmd.ok('POST', `/v1/channels/${secret}/typing`, bo.token);
    await cmd.ok('POST', `/v1/channels/${revolt.general}/typing`, bo.token);
    await outsider.next((f) => f.op === 'TYPING' && f.d.channelId === revolt.general);
    const { client: owner } = await connect(ada);
    await cmd.ok('POST', `/v1/channels/${secret}/typing`, bo.token);
    const typing = await owner.next((f) => f.op === 'TYPING' && f.d.channelId === secret);
    expect(typing).toMatchObject({ d: { userId: bo.id, revoltId: revolt.id } });
    expect(typing.s).toBeUndefined();
    await sleep(100);
    expect(outsider.frames.filter((f) => f.op === 'TYPING' && f.d.channelId === secret)).toEqual([]);
  });

  it('follows a permission change mid-stream: exactly the messages between the grant and the revoke', async () => {
    const { client: watcher } = await connect(cy);
    const vault = await cmd.channel(ada, revolt.id, 'vault');
    await cmd.overwrite(ada, vault, revolt.everyone, { type: 'role', deny: ['VIEW_CHANNEL'] });
    const keyholders = await cmd.role(ada, revolt.id, 'keyholders');
    await cmd.overwrite(ada, vault, keyholders, { type: 'role', allow: ['VIEW_CHANNEL'] });
    const sender = steadySender(server, ada, vault, 'vault');
    // Conditions on the stream, not timings: messages before the grant, at least three between the grant and the
    // revoke, and more after the revoke, however slowly this machine sends them.
    await sender.accepted(2);
    const granted = await cmd.grant(ada, revolt.id, cy.id, keyholders);
    await sender.accepted(3, (m) => m.position > granted.position);
    const revoked = await cmd.revoke(ada, revolt.id, cy.id, keyholders);
    await sender.accepted(2, (m) => m.position > revoked.position);
    const sent = await sender.stop();
    const expected = sent.filter((m) => m.position > granted.position && m.position < revoked.position).map((m) => m.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(sent.length).toBeGreaterThan(expected.length);
    await watcher.waitFor(1, (f) => f.t === 'ChannelAccessChanged' && f.d.removed.includes(vault));
    // A session gets its dispatches in the store's order: once a later message cy may see has arrived, anything of
    // the vault's after the revoke would have arrived before it.
    const marker = await cmd.send(ada, revolt.general, 'after the vault');
    await watcher.waitFor(1, (f) => f.d?.messageId === marker.id);
    expect(sentIn(watcher, vault).map((f) => f.d.messageId)).toEqual(expected);
    const added = watcher.of('ChannelAccessChanged', (d) => d.added.some((c: { id: string }) => c.id === vault));
    expect(added).toHaveLength(1);
  });

  it('stops a kicked member at once: everything before the kick, the kick, then nothing', async () => {
    const dee = await server.api.register('dee');
    await cmd.join(dee, revolt.invite);
    const { client: kicked } = await connect(dee);
    const sender = steadySender(server, bo, revolt.general, 'kick');
    await sender.accepted(2);
    const kick = await cmd.kick(ada, revolt.id, dee.id);
    await sender.accepted(2, (m) => m.position > kick.position);
    const sent = await sender.stop();
    await kicked.waitFor(1, (f) => f.t === 'RevoltUnavailable');
    // dee's own status change reaches dee after everything before it: anything wrongly sent after the kick is in.
    await cmd.ok('PUT', '/v1/users/@me/status', dee.token, { status: 'away' });
    const marker = await kicked.next((f) => f.t === 'UserStatusChanged' && f.d.status === 'away');
    const untilMarker = kicked.dispatches.slice(0, kicked.dispatches.indexOf(marker));
    const got = untilMarker.filter((f) => f.t === 'MessageSent' && f.d.content.startsWith('kick')).map((f) => f.d.messageId);
    expect(got).toEqual(sent.filter((m) => m.position < kick.position).map((m) => m.id));
    const tail = untilMarker.slice(-2).map((f: Frame) => [f.t, f.d.reason ?? f.d.userId]);
    expect(tail).toEqual([
      ['MemberKicked', dee.id],
      ['RevoltUnavailable', 'kicked'],
    ]);

    // Banned likewise; and a join brings the revolt with its channels.
    const eve = await server.api.register('eve');
    const { client: joiner } = await connect(eve);
    await cmd.join(eve, revolt.invite);
    const available = await joiner.next((f) => f.t === 'RevoltAvailable');
    expect(available.d.channels.map((c: { id: string }) => c.id)).toContain(revolt.general);
    const before = await cmd.send(bo, revolt.general, 'before the ban');
    await joiner.waitFor(1, (f) => f.d?.messageId === before.id);
    await cmd.ban(ada, revolt.id, eve.id);
    const after = await cmd.send(bo, revolt.general, 'after the ban');
    await joiner.waitFor(1, (f) => f.t === 'RevoltUnavailable' && f.d.reason === 'banned');
    await cmd.ok('PUT', '/v1/users/@me/status', eve.token, { status: 'away' });
    await joiner.next((f) => f.t === 'UserStatusChanged' && f.d.status === 'away');
    expect(joiner.dispatches.some((f) => f.d?.messageId === after.id)).toBe(false);
  });
});
