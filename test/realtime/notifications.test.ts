import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommunity, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, eventually, GatewayClient, identified, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
let cy: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwnotes', 'Noted Rebels', ['ada', 'bo', 'cy']));
  [ada, bo, cy] = users as [User, User, User];
});
afterAll(() => closeAll(clients, server));

const connect = (user: User) => identified(clients, server.url(), user.token);
const created = (client: GatewayClient) => client.of('NotificationCreated');

describe('notifications on the gateway', () => {
  it("each new notification reaches its recipient's sockets only, as the inbox shows it; reading it is told to them alone", async () => {
    const [{ client: boClient }, { client: boOther }, { client: cyClient }, { client: adaClient }] = await Promise.all([connect(bo), connect(bo), connect(cy), connect(ada)]);
    const mention = await cmd.send(ada, revolt.general, `hello <@${bo.id}>`);
    const [pushed] = await boClient.waitFor(1, (f) => f.t === 'NotificationCreated' && f.d.messageId === mention.id);
    await boOther.waitFor(1, (f) => f.t === 'NotificationCreated' && f.d.messageId === mention.id);
    expect(pushed!.d).toMatchObject({ type: 'channel_mention', userId: bo.id, actorId: ada.id, revoltId: revolt.id, channelId: revolt.general, isRead: false });

    // The gateway may tell before the read model has it: the inbox shows the same notification once it does.
    const listed = await eventually(async () => (await server.api.request('GET', '/v1/notifications', { token: bo.token })).body.items[0]);
    expect(listed).toEqual(pushed!.d);

    // A later notification of cy's arrives after bo's would have: cy never got bo's, nor did the author.
    const later = await cmd.send(ada, revolt.general, `and <@${cy.id}>`);
    await cyClient.waitFor(1, (f) => f.t === 'NotificationCreated' && f.d.messageId === later.id);
    expect(created(cyClient).map((f) => f.d.userId)).toEqual([cy.id]);
    expect(created(adaClient)).toEqual([]);

    const read = await cmd.ok('POST', `/v1/notifications/${pushed!.d.id}/read`, bo.token);
    expect(read.body.isRead).toBe(true);
    await boClient.waitFor(1, (f) => f.t === 'NotificationRead' && f.d.notificationId === pushed!.d.id);
    const marker = await cmd.send(ada, revolt.general, `again <@${cy.id}>`);
    await cyClient.waitFor(1, (f) => f.t === 'NotificationCreated' && f.d.messageId === marker.id);
    expect(cyClient.of('NotificationRead')).toEqual([]);
  });

  it('a session resumed after a dropped connection is replayed the notifications it missed, and no one else\'s', async () => {
    const { client: first, sessionId } = await connect(bo);
    await first.drop();
    const mention = await cmd.send(ada, revolt.general, `while you were away <@${bo.id}> and <@${cy.id}>`);
    // The reactor answers the message with one batch; the resume may replay only what the gateway has seen.
    expect(await server.server.reactors.waitForPosition('notifications', mention.position, 20_000)).toBe(true);
    const head = await server.server.services.store.headPosition();
    await eventually(() => server.gateway.position >= head, 30_000, 'the gateway to see the notifications');
    const { client: second, outcome } = await GatewayClient.resume(server.url(), sessionId, first.lastSeq);
    clients.push(second);
    expect(outcome.op).toBe('RESUMED');
    const replayed = second.frames.slice(0, second.frames.indexOf(outcome)).filter((f) => f.t === 'NotificationCreated');
    expect(replayed.map((f) => [f.d.userId, f.d.messageId])).toEqual([[bo.id, mention.id]]);
  });
});
