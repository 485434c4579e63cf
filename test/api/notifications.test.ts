import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('notifications');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
interface Note {
  id: string;
  type: string;
  title: string;
  message: string;
  userId: string;
  revoltId?: string;
  channelId?: string;
  messageId?: string;
  actorId?: string;
  isRead: boolean;
  readAt?: string;
  createdAt: string;
}

/** Waits until the notifications reactor and read model have answered everything recorded so far (the reactor appends too). */
async function settled(): Promise<void> {
  for (let head = -1; ; ) {
    const now = await t.server.services.store.headPosition();
    if (now === head) return;
    head = now;
    expect(await t.server.reactors.waitForPosition('notifications', head, 20_000)).toBe(true);
    for (const lane of ['notifications', 'inbox']) {
      expect(await t.server.engine.waitForPosition(lane, await t.server.services.store.headPosition(), 20_000)).toBe(true);
    }
  }
}

async function inbox(user: User, query = ''): Promise<Note[]> {
  await settled();
  const res = await t.api.request('GET', `/v1/notifications${query}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}
const types = async (user: User) => (await inbox(user)).map((note) => note.type);
const ok = (res: ApiResponse, status = 200) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
};

/** An owner's revolt with `count` members joined by invite; its default text channel is `general`. */
async function community(label: string, count: number) {
  const [owner, ...members] = await Promise.all(Array.from({ length: count + 1 }, (_, i) => t.api.register(`${label}${i}`)));
  const revolt = ok(await t.api.request('POST', '/v1/revolts', { token: owner!.token, body: { name: `${label} revolt` } }), 201).body;
  for (const member of members) ok(await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token }));
  return { owner: owner!, members, revolt, general: revolt.channels[0] as string, everyoneRole: revolt.roles[0].id as string };
}

const send = async (user: User, channelId: string, body: Record<string, unknown>) =>
  ok(await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: user.token, body }), 201).body;
const settings = (user: User, revolts: Record<string, unknown>[]) => t.api.request('PATCH', '/v1/users/@me/notification-settings', { token: user.token, body: { revolts } });

describe('notifications of joins and leaves', () => {
  it('the owner and member managers hear of them; the one who came or went and plain members do not; the opt-out holds', async () => {
    const { owner, members: [mod, plain], revolt } = await community('njoin', 2);
    const role = ok(await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'mods', permissions: ['KICK_MEMBERS'], position: 1 } }), 201).body;
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${mod!.id}/roles/${role.id}`, { token: owner.token }), 204);
    await settled();
    ok(await settings(owner, [{ revoltId: revolt.id, suppressJoinLeave: true }]));

    const newcomer = await t.api.register('njoinnew');
    ok(await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: newcomer.token }));
    ok(await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/@me`, { token: newcomer.token }), 204);

    const modNotes = await inbox(mod!);
    expect(modNotes.map((n) => [n.type, n.actorId])).toEqual([
      ['revolt_leave', newcomer.id],
      ['revolt_join', newcomer.id],
    ]);
    expect(modNotes[1]).toMatchObject({ userId: mod!.id, revoltId: revolt.id, isRead: false, title: `New member in ${revolt.name}`, message: `njoinnew joined ${revolt.name}` });
    // Before the opt-out the owner heard of the members joining; after it, nothing.
    expect((await inbox(owner)).filter((n) => n.actorId === newcomer.id)).toEqual([]);
    expect(await types(owner)).toEqual(['revolt_join', 'revolt_join']);
    expect(await types(plain!)).toEqual([]);
    expect(await types(newcomer)).toEqual([]);
  });
});

describe('notifications of kicks and bans', () => {
  it('a member kicked or banned is told as a leave to the managers, naming who removed them, but not to that moderator', async () => {
    const { owner, members: [mod, kicked, banned], revolt } = await community('nkick', 3);
    const role = ok(await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'mods', permissions: ['KICK_MEMBERS', 'BAN_MEMBERS'], position: 1 } }), 201).body;
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${mod!.id}/roles/${role.id}`, { token: owner.token }), 204);
    ok(await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${kicked!.id}`, { token: owner.token }), 204);
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${banned!.id}`, { token: mod!.token, body: {} }), 204);
    // A ban of someone who is not a member is no leave.
    const stranger = await t.api.register('nkickstranger');
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${stranger.id}`, { token: owner.token, body: {} }), 204);

    const leaves = async (user: User) => (await inbox(user)).filter((n) => n.type === 'revolt_leave').map((n) => [n.actorId, n.message]);
    expect(await leaves(mod!)).toEqual([[kicked!.id, `nkick2 was kicked from ${revolt.name} by nkick0`]]);
    expect(await leaves(owner)).toEqual([[banned!.id, `nkick3 was banned from ${revolt.name} by nkick1`]]);
    expect(await types(kicked!)).toEqual([]);
    expect(await types(banned!)).toEqual([]);
  });
});

describe('notifications of mentions and replies', () => {
  it('users, roles and @everyone are told, never the author; a muted revolt sends nothing; mentions-only keeps mentions', async () => {
    const { owner, members: [ada, bob, carol, dan], revolt, general } = await community('nment', 4);
    const role = ok(await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'crew', permissions: [] } }), 201).body;
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${bob!.id}/roles/${role.id}`, { token: owner.token }), 204);
    ok(await settings(carol!, [{ revoltId: revolt.id, muted: true }]));
    ok(await settings(dan!, [{ revoltId: revolt.id, mentionsOnly: true }]));
    await settled();
    const before = new Map(await Promise.all([owner, ada!, bob!, carol!, dan!].map(async (u) => [u.id, (await inbox(u)).length] as const)));

    const direct = await send(ada!, general, { content: `hey <@${carol!.id}> <@${dan!.id}> <@${ada!.id}>` });
    await send(ada!, general, { content: `crew <@&${role.id}>` });
    await send(owner, general, { content: '@everyone meeting' });

    const fresh = async (u: User) => (await inbox(u)).slice(0, (await inbox(u)).length - before.get(u.id)!);
    expect((await fresh(dan!)).map((n) => [n.type, n.actorId])).toEqual([
      ['channel_mention', owner.id],
      ['channel_mention', ada!.id],
    ]);
    expect((await fresh(dan!))[1]).toMatchObject({ revoltId: revolt.id, channelId: general, messageId: direct.id, message: direct.content });
    expect((await fresh(bob!)).map((n) => n.actorId)).toEqual([owner.id, ada!.id]);
    expect((await fresh(ada!)).map((n) => n.actorId)).toEqual([owner.id]);
    expect(await fresh(owner)).toEqual([]);
    expect(await fresh(carol!)).toEqual([]);
  });

  it("a member who can no longer read the channel, or was banned, hears nothing from it", async () => {
    const { owner, members: [ada, bob, carol], revolt, general } = await community('nacc', 3);
    ok(await t.api.request('PUT', `/v1/channels/${general}/permissions/${ada!.id}`, { token: owner.token, body: { type: 'member', deny: ['VIEW_CHANNEL'] } }), 204);
    ok(await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${carol!.id}`, { token: owner.token, body: {} }), 204);
    await settled();
    await send(owner, general, { content: `@everyone and <@${ada!.id}>` });
    expect(await types(ada!)).toEqual([]);
    expect(await types(carol!)).toEqual([]);
    expect(await types(bob!)).toEqual(['channel_mention']);
  });

  it("a reply tells the replied message's author once (a mention of them too); replying to oneself tells nobody", async () => {
    const { members: [ada, bob], general } = await community('nrep', 2);
    const first = await send(ada!, general, { content: 'question' });
    await send(bob!, general, { content: `answer <@${ada!.id}>`, replyTo: first.id });
    await send(ada!, general, { content: 'and another thing', replyTo: first.id });
    const notes = await inbox(ada!);
    expect(notes.map((n) => [n.type, n.actorId])).toEqual([['message_reply', bob!.id]]);
    expect(notes[0]!.title).toContain('replied to your message');
    expect(await types(bob!)).toEqual([]);
  });
});

describe('the inbox', () => {
  it('pages newest first, filters unread, counts, marks one and all read; only the recipient sees or marks', async () => {
    const { owner, members: [ada, bob], general } = await community('ninbox', 2);
    for (let i = 0; i < 5; i++) await send(owner, general, { content: `<@${ada!.id}> ping ${i}` });
    const all = await inbox(ada!);
    expect(all.map((n) => n.message)).toEqual([4, 3, 2, 1, 0].map((i) => `<@${ada!.id}> ping ${i}`));

    const pages: Note[] = [];
    let next: string | null = null;
    do {
      const res: ApiResponse = ok(await t.api.request('GET', `/v1/notifications?limit=2${next ? `&before=${next}` : ''}`, { token: ada!.token }));
      pages.push(...res.body.items);
      next = res.body.next;
    } while (next);
    expect(pages.map((n) => n.id)).toEqual(all.map((n) => n.id));

    const count = async (u: User) => ok(await t.api.request('GET', '/v1/notifications/unread-count', { token: u.token })).body.count;
    expect(await count(ada!)).toBe(5);
    // Someone else's notification does not exist for them, and trying records nothing.
    const stranger = await t.api.request('POST', `/v1/notifications/${all[0]!.id}/read`, { token: bob!.token });
    expect(stranger.status).toBe(404);
    expect(stranger.headers['x-event-position']).toBeUndefined();

    const read = ok(await t.api.request('POST', `/v1/notifications/${all[0]!.id}/read`, { token: ada!.token }));
    expect(read.body).toMatchObject({ id: all[0]!.id, isRead: true, readAt: expect.any(String) });
    const again = ok(await t.api.request('POST', `/v1/notifications/${all[0]!.id}/read`, { token: ada!.token }));
    expect(again.headers['x-event-position']).toBeUndefined();
    expect(await count(ada!)).toBe(4);
    expect((await inbox(ada!, '?unread=true')).map((n) => n.id)).toEqual(all.slice(1).map((n) => n.id));

    ok(await t.api.request('POST', '/v1/notifications/read-all', { token: ada!.token }), 204);
    expect(await count(ada!)).toBe(0);
    expect(await inbox(ada!, '?unread=true')).toEqual([]);
    const none = ok(await t.api.request('POST', '/v1/notifications/read-all', { token: ada!.token }), 204);
    expect(none.headers['x-event-position']).toBeUndefined();

    await send(owner, general, { content: `<@${ada!.id}> one more` });
    await settled();
    expect(await count(ada!)).toBe(1);
  });

  it('settings: read back as set; a revolt the user is not in is 404 and records nothing; invalid input is 400', async () => {
    const { members: [ada], revolt } = await community('nset', 1);
    const outsider = await t.api.register('nsetout');
    const set = ok(await settings(ada!, [{ revoltId: revolt.id, mentionsOnly: true }]));
    expect(set.body).toEqual({ revolts: [{ revoltId: revolt.id, muted: false, mentionsOnly: true, suppressJoinLeave: false }] });
    expect(ok(await t.api.request('GET', '/v1/users/@me/notification-settings', { token: ada!.token })).body).toEqual(set.body);
    const refused = await settings(outsider, [{ revoltId: revolt.id, muted: true }]);
    expect(refused.status).toBe(404);
    expect(refused.headers['x-event-position']).toBeUndefined();
    expect((await settings(ada!, [{ revoltId: revolt.id, muted: 'yes' }])).status).toBe(400);
    expect((await settings(ada!, [])).status).toBe(400);
  });
});

describe('system announcements', () => {
  const grant = (userId: string) =>
    changeRoster(t.server.services.commands, { type: 'Grant', userId, role: 'operator', by: 'operator:test', at: new Date().toISOString() }, { actorId: 'operator:test', correlationId: 'g', causationId: 'g' });

  it("operators announce to one revolt's members (muted or not) or to everyone; nobody else may", async () => {
    const { owner, members: [ada], revolt } = await community('nann', 1);
    const operator = await t.api.register('nannop');
    await grant(operator.id);
    ok(await settings(ada!, [{ revoltId: revolt.id, muted: true }]));

    const refused = await t.api.request('POST', '/v1/announcements', { token: owner.token, body: { title: 'Hi', message: 'there' } });
    expect(refused.status).toBe(403);
    expect(refused.headers['x-event-position']).toBeUndefined();
    expect((await t.api.request('POST', '/v1/announcements', { token: operator.token, body: { revoltId: '9'.repeat(24), title: 'Hi', message: 'x' } })).status).toBe(404);

    const posted = ok(await t.api.request('POST', '/v1/announcements', { token: operator.token, body: { revoltId: revolt.id, title: 'Maintenance', message: 'at noon' } }), 201);
    expect(posted.body).toMatchObject({ revoltId: revolt.id, title: 'Maintenance', message: 'at noon' });
    for (const user of [owner, ada!]) expect((await inbox(user))[0]).toMatchObject({ type: 'system_announcement', title: 'Maintenance', message: 'at noon', revoltId: revolt.id });
    expect(await types(operator)).toEqual([]);

    const late = await t.api.register('nannlate');
    ok(await t.api.request('POST', '/v1/announcements', { token: operator.token, body: { title: 'Welcome', message: 'to everyone' } }), 201);
    for (const user of [owner, ada!, operator, late]) expect((await inbox(user))[0]).toMatchObject({ type: 'system_announcement', title: 'Welcome' });
  });
});
