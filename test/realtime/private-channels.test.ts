import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommunity, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, GatewayClient, identified, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User; // owner
let bo: User; // let in by a member overwrite
let cy: User; // no overwrite
let revolt: Revolt;
const clients: GatewayClient[] = [];

const connect = (user: User) => identified(clients, server.url(), user.token);
const sentIn = (client: GatewayClient, channelId: string) => client.of('MessageSent', (d) => d.channelId === channelId);

beforeAll(async () => {
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwprivate', 'Private Rebels', ['ada', 'bo', 'cy']));
  [ada, bo, cy] = users as [User, User, User];
});
afterAll(() => closeAll(clients, server));

async function privateChannel(name: string) {
  const { body } = await cmd.ok('POST', `/v1/revolts/${revolt.id}/channels`, ada.token, { name, settings: { isPrivate: true } });
  return body.id as string;
}

describe('private channels on the gateway', () => {
  it('a member no overwrite lets in gets nothing of a channel created private; one let in and the owner get its messages', async () => {
    const { client: insider } = await connect(bo);
    const { client: outsider } = await connect(cy);
    const { client: owner } = await connect(ada);
    const secret = await privateChannel('plots');
    await cmd.overwrite(ada, secret, bo.id, { type: 'member', allow: ['VIEW_CHANNEL'] });
    const hidden = await cmd.send(ada, secret, 'the plot');
    const marker = await cmd.send(ada, revolt.general, 'nothing to see');
    for (const client of [insider, owner]) await client.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === hidden.id);
    // The outsider's dispatches come in the store's order: once the later marker arrived, the secret would have too.
    await outsider.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === marker.id);
    expect(sentIn(outsider, secret)).toEqual([]);
    expect(JSON.stringify(outsider.dispatches)).not.toContain(secret);
    // Nor does a fresh session's READY name it.
    const { ready } = await connect(cy);
    expect(JSON.stringify(ready.d)).not.toContain(secret);
    expect(JSON.stringify(ready.d)).toContain(revolt.general);
  });

  it('making a channel private takes it from those no overwrite lets in, at that event', async () => {
    const { client: watcher } = await connect(cy);
    const { client: insider } = await connect(bo);
    const { body } = await cmd.ok('POST', `/v1/revolts/${revolt.id}/channels`, ada.token, { name: 'lounge' });
    const lounge = body.id as string;
    await cmd.overwrite(ada, lounge, bo.id, { type: 'member', allow: ['VIEW_CHANNEL'] });
    const before = await cmd.send(ada, lounge, 'while open');
    await watcher.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === before.id);
    await cmd.ok('PATCH', `/v1/channels/${lounge}`, ada.token, { settings: { isPrivate: true } });
    const after = await cmd.send(ada, lounge, 'now closed');
    const marker = await cmd.send(ada, revolt.general, 'after the lounge closed');
    await insider.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === after.id);
    await watcher.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === marker.id);
    expect(sentIn(watcher, lounge).map((f) => f.d.messageId)).toEqual([before.id]);
    const access = watcher.of('ChannelAccessChanged', (d) => d.removed.includes(lounge));
    expect(access).toHaveLength(1);
    expect(insider.of('ChannelAccessChanged', (d) => d.removed.includes(lounge))).toEqual([]);
  });
});
