import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeFollow } from '../../src/commands/follows/execute.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('follows');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const positionOf = (res: ApiResponse) => Number(res.headers['x-event-position'] ?? 0);
const at = (position: number) => ({ 'x-min-position': String(position) });

/** Registers `n` users named `prefix-i`, ten at a time. */
async function registerMany(prefix: string, n: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < n; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => t.api.register(`${prefix}${i + j}`)))));
  }
  return users;
}

const follow = (who: User, target: string) => t.api.request('PUT', `/v1/users/${target}/follow`, { token: who.token });
const unfollow = (who: User, target: string) => t.api.request('DELETE', `/v1/users/${target}/follow`, { token: who.token });
const statsOf = async (who: User, target: string, position: number) => {
  const res = await t.api.request('GET', `/v1/users/${target}`, { token: who.token, headers: at(position) });
  expect(res.status).toBe(200);
  return res.body.stats;
};

/** Runs `change` twice: both answer 204 and the second records nothing (no position); returns the first answer. */
async function twice(change: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const first = await change();
  expect(first.status).toBe(204);
  const again = await change();
  expect(again.status).toBe(204);
  expect(again.headers['x-event-position']).toBeUndefined();
  return first;
}

/** Every page of a follow list, following `next` until it is null. */
async function allPages(who: User, path: string, limit: number, position: number): Promise<Array<{ id: string; username?: string }>> {
  const items = [];
  let next: string | null = null;
  do {
    const res: ApiResponse = await t.api.request('GET', `${path}?limit=${limit}${next ? `&before=${next}` : ''}`, { token: who.token, headers: at(position) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    next = res.body.next;
  } while (next);
  return items;
}

describe('follows', () => {
  it('follow and unfollow: both counts move once, twice changes nothing, the pages list the other user', async () => {
    const [ada, bob] = await Promise.all([t.api.register('fada'), t.api.register('fbob')]);
    const followed = await twice(() => follow(ada, bob.id));
    expect(positionOf(followed)).toBeGreaterThan(0);

    const p = positionOf(followed);
    expect(await statsOf(ada, bob.id, p)).toMatchObject({ followers: 1, following: 0 });
    expect(await statsOf(ada, ada.id, p)).toMatchObject({ followers: 0, following: 1 });
    const followers = await t.api.request('GET', `/v1/users/${bob.id}/followers`, { token: bob.token, headers: at(p) });
    expect(followers.body).toEqual({ items: [{ id: ada.id, username: 'fada', discriminator: ada.discriminator, followedAt: expect.any(String) }], next: null });
    const following = await t.api.request('GET', '/v1/users/@me/following', { token: ada.token, headers: at(p) });
    expect(following.body.items.map((u: { id: string }) => u.id)).toEqual([bob.id]);

    const unfollowed = await twice(() => unfollow(ada, bob.id));
    const q = positionOf(unfollowed);
    expect(await statsOf(bob, bob.id, q)).toMatchObject({ followers: 0, following: 0 });
    expect(await statsOf(bob, ada.id, q)).toMatchObject({ followers: 0, following: 0 });
    expect((await t.api.request('GET', `/v1/users/${bob.id}/followers`, { token: bob.token, headers: at(q) })).body).toEqual({ items: [], next: null });
  });

  it('refuses following oneself (400), unknown users (404) and malformed ids and cursors (400), before anything is recorded', async () => {
    const ada = await t.api.register('fself');
    for (const target of [ada.id, '@me']) {
      const res = await follow(ada, target);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('cannot_follow_self');
    }
    const nobody = 'f'.repeat(24);
    expect((await follow(ada, nobody)).status).toBe(404);
    expect((await unfollow(ada, nobody)).status).toBe(404);
    expect((await t.api.request('GET', `/v1/users/${nobody}/followers`, { token: ada.token })).status).toBe(404);
    expect((await follow(ada, 'not-an-id')).status).toBe(400);
    const cursor = await t.api.request('GET', `/v1/users/${ada.id}/followers?before=nonsense`, { token: ada.token });
    expect(cursor.status).toBe(400);
    const limit = await t.api.request('GET', `/v1/users/${ada.id}/following?limit=500`, { token: ada.token });
    expect(limit.status).toBe(400);
    expect((await t.api.request('PUT', `/v1/users/${ada.id}/follow`)).status).toBe(401);
    expect(await statsOf(ada, ada.id, ada.position)).toMatchObject({ followers: 0, following: 0 });
  });

  it('the routes are in /openapi.json', async () => {
    const { paths } = (await t.api.request('GET', '/openapi.json')).body;
    expect(Object.keys(paths['/v1/users/{userId}/follow']).sort()).toEqual(['delete', 'put']);
    expect(paths['/v1/users/{userId}/followers'].get.responses['200']).toBeDefined();
    expect(paths['/v1/users/{userId}/following'].get.responses['200']).toBeDefined();
  });

  it('50 concurrent follows of one user count exactly, and the pages list each follower once', async () => {
    const [star] = await registerMany('fstar', 1);
    const fans = await registerMany('ffan', 50);
    const answers = await Promise.all(fans.map((fan) => follow(fan, star!.id)));
    expect(answers.map((res) => res.status)).toEqual(fans.map(() => 204));
    const last = Math.max(...answers.map(positionOf));
    expect(await statsOf(star!, star!.id, last)).toMatchObject({ followers: 50, following: 0 });
    const listed = await allPages(star!, `/v1/users/${star!.id}/followers`, 20, last);
    expect(listed.map((u) => u.id).sort()).toEqual(fans.map((f) => f.id).sort());
    expect(listed.every((u) => u.username?.startsWith('ffan'))).toBe(true);
  });

  it('concurrent follows and unfollows by the same users, from two processes, keep every count equal to the follows that stand', async () => {
    const [star] = await registerMany('fpair', 1);
    const fans = await registerMany('fpairfan', 12);
    // A second API process: its own command handler (own cache, own in-process queue) on the same store, so the
    // two race on each follower's stream and settle it by expected revision.
    const { store, catalogue } = t.server.services;
    const other = new CommandHandler(store, { catalogue });
    const viaOther = async (fan: User, type: 'Follow' | 'Unfollow') => {
      const context = { actorId: fan.id, correlationId: randomUUID(), causationId: randomUUID() };
      return (await changeFollow(other, { type, followerId: fan.id, followeeId: star!.id, at: new Date().toISOString() }, context)).position ?? 0;
    };
    const [answers, positions] = await Promise.all([
      Promise.all(fans.flatMap((fan, i) => [follow(fan, star!.id), unfollow(fan, star!.id), follow(fan, star!.id), ...(i % 3 === 0 ? [unfollow(fan, star!.id)] : [])])),
      Promise.all(fans.flatMap((fan, i) => [viaOther(fan, 'Unfollow'), viaOther(fan, 'Follow'), ...(i % 2 === 0 ? [viaOther(fan, 'Unfollow')] : [])])),
    ]);
    expect(new Set(answers.map((res) => res.status))).toEqual(new Set([204]));
    const last = Math.max(...answers.map(positionOf), ...positions);
    const standing = new Set((await allPages(star!, `/v1/users/${star!.id}/followers`, 5, last)).map((u) => u.id));
    expect((await statsOf(star!, star!.id, last)).followers).toBe(standing.size);
    for (const fan of fans) {
      expect((await statsOf(fan, fan.id, last)).following).toBe(standing.has(fan.id) ? 1 : 0);
      const following = await allPages(fan, '/v1/users/@me/following', 5, last);
      expect(following.map((u) => u.id)).toEqual(standing.has(fan.id) ? [star!.id] : []);
    }
  });
});

describe('activity and reputation in users.stats', () => {
  it('lastActive moves with the commands the user issues', async () => {
    const [ada, bob] = await Promise.all([t.api.register('lact'), t.api.register('lactb')]);
    const before = await statsOf(ada, ada.id, ada.position);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    const res = await t.api.request('PATCH', '/v1/users/@me', { token: ada.token, body: { bio: 'still here' } });
    const after = await statsOf(ada, ada.id, positionOf(res));
    expect(new Date(after.lastActive).getTime()).toBeGreaterThanOrEqual(started);
    expect(new Date(after.lastActive).getTime()).toBeGreaterThan(new Date(before.lastActive).getTime());
    const followed = await follow(bob, ada.id);
    expect((await statsOf(ada, ada.id, positionOf(followed))).lastActive).toBe(after.lastActive);
  });

  it('reactions from others and members joining one’s revolt raise reputation; reacting to oneself does not', async () => {
    const [ada, bob] = await Promise.all([t.api.register('repada'), t.api.register('repbob')]);
    const created = await t.api.request('POST', '/v1/revolts', { token: ada.token, body: { name: 'Reputation' } });
    expect(created.status).toBe(201);
    expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: bob.token })).status).toBe(200);
    const general = created.body.channels[0] as string;
    const sent = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: ada.token, body: { content: 'react to this' } });
    expect(sent.status).toBe(201);
    const react = (who: User, emoji: string) =>
      t.api.request('PUT', `/v1/channels/${general}/messages/${sent.body.id}/reactions/${encodeURIComponent(emoji)}/@me`, { token: who.token });
    expect((await react(ada, '🔥')).status).toBe(204);
    const last = await react(bob, '🔥');
    expect(last.status).toBe(204);
    // 2 for bob joining her revolt, 1 for bob's reaction, none for her own.
    expect((await statsOf(bob, ada.id, positionOf(last))).reputation).toBe(3);
    expect((await statsOf(bob, bob.id, positionOf(last))).reputation).toBe(0);
    const me = await t.api.request('GET', '/v1/users/@me', { token: ada.token });
    expect(me.body).not.toHaveProperty('_reputation');
  });
});
