import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommunity, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, identified, type GatewayClient, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let owner: User;
let ada: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  const community = await gatewayCommunity('read_states_gw', 'Readers', ['rgowner', 'rgada']);
  ({ server, cmd, revolt } = community);
  [owner, ada] = community.users as [User, User];
});
afterAll(() => closeAll(clients, server));

describe('read states over the gateway', () => {
  it('READY carries the read states; an ack is dispatched to the reader’s own sockets only', async () => {
    await cmd.send(owner, revolt.general, 'one');
    const mention = await cmd.send(owner, revolt.general, `two <@${ada.id}>`);
    expect(await server.server.engine.waitForPosition('readStates', mention.position, 15_000)).toBe(true);

    const { client: adaSocket, ready } = await identified(clients, server.url(), ada.token);
    const { client: ownerSocket } = await identified(clients, server.url(), owner.token);
    expect(ready.d.readStates).toEqual({
      channels: [{ channelId: revolt.general, revoltId: revolt.id, lastReadMessageId: null, lastMessageId: mention.id, unreadCount: 2, mentionCount: 1 }],
      revolts: [{ revoltId: revolt.id, unreadCount: 2, mentionCount: 1 }],
    });

    const acked = await cmd.ok('POST', `/v1/channels/${revolt.general}/ack/${mention.id}`, ada.token);
    const dispatch = await adaSocket.next((f) => f.t === 'ChannelAcked');
    expect(dispatch.d).toEqual({ userId: ada.id, revoltId: revolt.id, channelId: revolt.general, messageId: mention.id, at: expect.any(String) });
    // The owner's socket saw the messages but never the ack (a later message proves its stream went past it).
    const later = await cmd.send(ada, revolt.general, 'three');
    await ownerSocket.next((f) => f.t === 'MessageSent' && f.d.messageId === later.id);
    expect(ownerSocket.of('ChannelAcked')).toEqual([]);
    expect(later.position).toBeGreaterThan(acked.position);

    // A new session's READY shows the channel read.
    expect(await server.server.engine.waitForPosition('readStates', later.position, 15_000)).toBe(true);
    const { ready: again } = await identified(clients, server.url(), ada.token);
    expect(again.d.readStates.channels).toEqual([{ channelId: revolt.general, revoltId: revolt.id, lastReadMessageId: later.id, lastMessageId: later.id, unreadCount: 0, mentionCount: 0 }]);
  });
});
