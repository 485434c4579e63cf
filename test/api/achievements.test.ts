import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { eventually } from '../projections/engine/helpers.ts';
import { founderUnlocked } from '../support/achievements.ts';
import { commandsOf, type Commands, type User } from '../realtime/fixture.ts';
import { closeAll, identified, startGatewayServer, type GatewayClient, type GatewayServer } from '../realtime/support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  // The test server runs no achievements unless asked: their unlocks would be events other tests do not expect.
  server = await startGatewayServer('achievements', { RUN_ACHIEVEMENTS: 'true' });
  cmd = commandsOf(server);
  [ada, bo] = await Promise.all(['ada', 'bo'].map((name) => server.api.register(name)));
}, 60_000);
afterAll(() => closeAll(clients, server));

/** The unlocks recorded so far, once there are `count`. */
async function unlocksRecorded(count: number): Promise<RecordedEvent<string, { userId: string; achievementId: string; unlockedAt: string }>[]> {
  return eventually(
    async () => {
      const all = await server.server.services.store.readAll({ after: 0, maxCount: 100_000 });
      const found = all.filter((event) => event.type === 'AchievementUnlocked') as RecordedEvent<string, { userId: string; achievementId: string; unlockedAt: string }>[];
      return found.length >= count ? found : undefined;
    },
    30_000,
    `${count} unlocks`,
  );
}

describe('achievements over HTTP and the gateway', () => {
  it('unlocks as users act, tells each user of their own unlocks only, and lists them', async () => {
    const { client: adaSocket } = await identified(clients, server.url(), ada.token);
    const { client: boSocket } = await identified(clients, server.url(), bo.token);
    const revolt = await cmd.revolt(ada, 'Achievers');
    await cmd.join(bo, revolt.invite);

    const [founder] = await adaSocket.waitFor(1, (f) => f.t === 'AchievementUnlocked');
    const [newcomer] = await boSocket.waitFor(1, (f) => f.t === 'AchievementUnlocked');
    expect(founder!.d).toMatchObject({ userId: ada.id, achievementId: 'founder', name: 'Founder', category: 'leadership', rarity: 'common' });
    expect(newcomer!.d).toMatchObject({ userId: bo.id, achievementId: 'newcomer', category: 'participation' });
    const recorded = await unlocksRecorded(2);
    const created = (await server.server.services.store.readAll({ after: 0, maxCount: 100_000 })).find((event) => event.type === 'RevoltCreated')!;
    expect(founder!.d.unlockedAt).toBe(created.metadata.occurredAt);

    // Each sees their own, and nobody else's, though they share a revolt.
    await cmd.send(ada, revolt.general, 'first words');
    await adaSocket.waitFor(2, (f) => f.t === 'AchievementUnlocked');
    expect(boSocket.of('AchievementUnlocked').map((f) => f.d.userId)).toEqual([bo.id]);

    const last = Math.max(...recorded.map((event) => event.position));
    const listed = await server.api.request('GET', `/v1/users/${ada.id}/achievements`, { token: bo.token, headers: { 'x-min-position': String(last) } });
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toEqual(founderUnlocked(created.metadata.occurredAt));
    const own = await server.api.request('GET', '/v1/users/@me/achievements', { token: bo.token, headers: { 'x-min-position': String(last) } });
    expect(own.body.items.map((a: { id: string }) => a.id)).toEqual(['newcomer']);
  }, 90_000);

  it('answers 404 for a user that does not exist and 400 for what is not a user id; documents the route', async () => {
    expect((await server.api.request('GET', `/v1/users/${'f'.repeat(24)}/achievements`, { token: ada.token })).status).toBe(404);
    const bad = await server.api.request('GET', '/v1/users/nobody/achievements', { token: ada.token });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error.code).toBe('string');
    expect((await server.api.request('GET', `/v1/users/${ada.id}/achievements`)).status).toBe(401);
    const openapi = await server.api.request('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/v1/users/{userId}/achievements');
  });
});
