import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCommunity, type Commands, type User } from './fixture.ts';
import { closeAll, eventually, GatewayClient, identified, sleep, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
let revoltId: string;
const clients: GatewayClient[] = [];

const connect = async (user: User) => (await identified(clients, server.url(), user.token)).client;

/** bo's entry in the revolts read model and bo's user document. */
async function readModels() {
  const { db } = server.server.services;
  const revolt = await db.collection('revolts').findOne({ id: revoltId });
  const member = revolt?.members.find((m: { userId: { toHexString(): string } }) => m.userId.toHexString() === bo.id);
  const user = await db.collection('users').findOne({ id: bo.id });
  return { isOnline: member?.isOnline as boolean, memberLastSeen: member?.lastSeen as Date, userLastSeen: user?.lastSeen as Date, status: user?.status as string };
}

const presenceOf = (client: GatewayClient, userId: string) => client.of('UserPresenceChanged', (d) => d.userId === userId).map((f) => f.d.presence);

beforeAll(async () => {
  const community = await gatewayCommunity('gwpresence', 'Presence Rebels', ['ada', 'bo'], { GATEWAY_PRESENCE_GRACE_MS: '1500' });
  ({ server, cmd } = community);
  [ada, bo] = community.users as [User, User];
  revoltId = community.revolt.id;
});
afterAll(() => closeAll(clients, server));

describe('presence', () => {
  it('comes from connections: online with the first socket, offline only after the last one closed and the grace period passed', async () => {
    const watcher = await connect(ada);
    const first = await connect(bo);
    const own = await first.next((f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id);
    expect(own.d).toMatchObject({ userId: bo.id, connected: true, presence: 'online', previousPresence: 'offline' });
    await watcher.waitFor(1, (f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id);
    expect(watcher.of('UserPresenceChanged', (d) => d.userId === bo.id)[0]!.d).not.toHaveProperty('connected');
    await eventually(async () => (await readModels()).isOnline === true, 10_000, 'isOnline in the revolts read model');

    // A second socket, then the first closes, then a quick reconnect: nothing changes for others.
    const second = await connect(bo);
    await first.close();
    await second.drop();
    const third = await connect(bo);
    await sleep(1800);
    expect(presenceOf(watcher, bo.id)).toEqual(['online']);

    const before = await readModels();
    await third.close();
    await watcher.waitFor(2, (f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id, 5000);
    expect(presenceOf(watcher, bo.id)).toEqual(['online', 'offline']);
    // Two lanes (revolts, users), each applying in its own time.
    const after = await eventually(async () => {
      const models = await readModels();
      return models.isOnline === false && models.userLastSeen.getTime() > before.userLastSeen.getTime() && models;
    });
    expect(after.memberLastSeen.getTime()).toBeGreaterThan(before.memberLastSeen.getTime());
    expect(after.userLastSeen.getTime()).toBeGreaterThan(before.userLastSeen.getTime());
  });

  it('follows the status command and PRESENCE_UPDATE; invisible looks offline to others', async () => {
    const watcher = await connect(ada);
    const self = await connect(bo);
    await watcher.waitFor(1, (f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id && f.d.presence === 'online');
    const from = watcher.dispatches.length;

    const invisible = await cmd.ok('PUT', '/v1/users/@me/status', bo.token, { status: 'invisible' });
    await watcher.waitFor(1, (f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id && f.d.presence === 'offline');
    const mine = await self.next((f) => f.t === 'UserPresenceChanged' && f.d.presence === 'offline');
    expect(mine.d.connected).toBe(true);
    expect(self.of('UserStatusChanged').at(-1)!.d).toEqual({ userId: bo.id, status: 'invisible' });
    await eventually(async () => (await readModels()).isOnline === false, 10_000, 'an invisible member shown offline');
    // The users read model is a lane of its own: read it as of the status command.
    const shown = await server.api.request('GET', `/v1/users/${bo.id}`, { token: ada.token, headers: { 'x-min-position': String(invisible.position) } });
    expect(shown.body.status).toBe('offline');

    self.send('PRESENCE_UPDATE', { status: 'away' });
    await watcher.waitFor(1, (f) => f.t === 'UserPresenceChanged' && f.d.userId === bo.id && f.d.presence === 'away');
    await eventually(async () => {
      const models = await readModels();
      return models.isOnline === true && models.status === 'away';
    });
    expect(watcher.dispatches.slice(from).filter((f) => f.d.userId === bo.id).map((f) => [f.t, f.d.presence])).toEqual([
      ['UserPresenceChanged', 'offline'],
      ['UserPresenceChanged', 'away'],
    ]);
    await cmd.ok('PUT', '/v1/users/@me/status', bo.token, { status: 'online' });
    await self.close();
  });

  it('a member who joins while connected is online in the new revolt from the start; one who is not, offline', async () => {
    const cy = await server.api.register('cy');
    await cmd.ok('PUT', '/v1/users/@me/status', bo.token, { status: 'online' });
    await connect(ada);
    const self = await connect(bo);
    await eventually(async () => (await readModels()).isOnline === true, 10_000, 'bo online');
    const revolt = await cmd.revolt(ada, 'Late Joiners');
    await cmd.join(bo, revolt.invite);
    await cmd.join(cy, revolt.invite);
    const members = await eventually(async () => {
      const doc = await server.server.services.db.collection('revolts').findOne({ id: revolt.id });
      return doc?.members.length === 3 && (doc.members as Array<{ username: string; isOnline: boolean }>);
    });
    expect(Object.fromEntries(members.map((m) => [m.username, m.isOnline]))).toEqual({ ada: true, bo: true, cy: false });
    await self.close();
  });
});
