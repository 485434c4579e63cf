import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('revolts');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const pos = (res: { headers: Record<string, unknown> }) => ({ 'x-min-position': String(res.headers['x-event-position']) });

/** An owner's revolt joined by the given members. */
async function revoltWith(owner: User, members: User[], name = 'Guild') {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  let last = created;
  for (const m of members) {
    last = await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token });
    expect(last.status).toBe(200);
  }
  return { revolt: created.body, general: created.body.channels[0] as string, last };
}

describe('revolt settings', () => {
  it('the owner updates name and settings; a plain member cannot; a private revolt leaves discovery', async () => {
    const [owner, member] = await Promise.all([t.api.register('setowner'), t.api.register('setmember')]);
    const { revolt } = await revoltWith(owner, [member], 'Visible Guild');
    const denied = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: member.token, body: { name: 'Hijacked' } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.details).toEqual({ missing: ['MANAGE_REVOLT'] });
    const updated = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, {
      token: owner.token,
      body: { name: 'Hidden Guild', description: 'now private', settings: { isPublic: false, slowMode: 5 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Hidden Guild', settings: { isPublic: false, slowMode: 5 } });
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: member.token, headers: pos(updated) });
    expect(doc.body).toMatchObject({ name: 'Hidden Guild', description: 'now private', settings: { isPublic: false } });
    const discovered = await t.api.request('GET', '/v1/revolts?q=Guild', { token: member.token });
    expect(discovered.body.items.map((r: { id: string }) => r.id)).not.toContain(revolt.id);
    const me = await t.api.request('GET', '/v1/users/@me', { token: member.token, headers: pos(updated) });
    expect(me.body.revoltMemberships.find((m: { revoltId: string }) => m.revoltId === revolt.id).revoltName).toBe('Hidden Guild');
    const bad = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { settings: { maxMembers: -1 } } });
    expect(bad.status).toBe(400);
  });

  it('regenerating the invite retires the old code', async () => {
    const [owner, late] = await Promise.all([t.api.register('invowner'), t.api.register('latecomer')]);
    const { revolt } = await revoltWith(owner, []);
    const fresh = await t.api.request('POST', `/v1/revolts/${revolt.id}/invite`, { token: owner.token });
    expect(fresh.status).toBe(200);
    expect(fresh.body.code).not.toBe(revolt.inviteCode);
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: late.token })).status).toBe(404);
    expect((await t.api.request('POST', `/v1/invites/${fresh.body.code}`, { token: late.token })).status).toBe(200);
  });
});

describe('members', () => {
  it('kick: immediate loss of access, counts follow; the kicked member may rejoin', async () => {
    const [owner, alice, bob] = await Promise.all([t.api.register('kowner'), t.api.register('kalice'), t.api.register('kbob')]);
    const { revolt, general } = await revoltWith(owner, [alice, bob]);
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${bob.id}`, { token: alice.token })).status).toBe(403);
    const kicked = await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${bob.id}?reason=spam`, { token: owner.token });
    expect(kicked.status).toBe(204);
    expect((await t.api.request('GET', `/v1/channels/${general}/messages`, { token: bob.token })).status).toBe(404);
    expect((await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob.token, body: { content: 'still here?' } })).status).toBe(404);
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: pos(kicked) });
    expect(doc.body.stats.memberCount).toBe(2);
    const bobMe = await t.api.request('GET', '/v1/users/@me', { token: bob.token, headers: pos(kicked) });
    expect(bobMe.body.revoltMemberships).toEqual([]);
    // revoltsJoined counts every revolt ever joined: a kick does not lower it.
    expect(bobMe.body.stats.revoltsJoined).toBe(1);
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: bob.token })).status).toBe(200);
  });

  it('ban keeps a user out until unbanned; the owner can be neither kicked nor banned', async () => {
    const [owner, mod, carl] = await Promise.all([t.api.register('bowner'), t.api.register('bmod'), t.api.register('bcarl')]);
    const { revolt } = await revoltWith(owner, [mod, carl]);
    const role = await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'mods', permissions: ['BAN_MEMBERS', 'KICK_MEMBERS'], position: 10 } });
    expect(role.status).toBe(201);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${mod.id}/roles/${role.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${owner.id}`, { token: mod.token, body: {} })).status).toBe(403);
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${owner.id}`, { token: mod.token })).status).toBe(403);
    const banned = await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${carl.id}`, { token: mod.token, body: { reason: 'abuse' } });
    expect(banned.status).toBe(204);
    const rejoin = await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: carl.token });
    expect(rejoin.status).toBe(403);
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/bans/${carl.id}`, { token: mod.token })).status).toBe(204);
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: carl.token })).status).toBe(200);
  });

  it('leaving, and the owner handing over before leaving', async () => {
    const [owner, heir] = await Promise.all([t.api.register('lowner'), t.api.register('lheir')]);
    const { revolt } = await revoltWith(owner, [heir]);
    const stuck = await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/@me`, { token: owner.token });
    expect(stuck.status).toBe(422);
    expect(stuck.body.error.code).toBe('owner_cannot_leave');
    expect((await t.api.request('POST', `/v1/revolts/${revolt.id}/owner`, { token: heir.token, body: { userId: heir.id } })).status).toBe(403);
    const handed = await t.api.request('POST', `/v1/revolts/${revolt.id}/owner`, { token: owner.token, body: { userId: heir.id } });
    expect(handed.status).toBe(200);
    expect(handed.body.owner).toBe(heir.id);
    const left = await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/@me`, { token: owner.token });
    expect(left.status).toBe(204);
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: heir.token, headers: pos(left) });
    expect(doc.body).toMatchObject({ owner: heir.id, stats: { memberCount: 1 } });
    const members = await t.api.request('GET', `/v1/revolts/${revolt.id}/members`, { token: heir.token });
    expect(members.body.items).toEqual([expect.objectContaining({ userId: heir.id, isOwner: true })]);
  });
});

describe('roles and permission overwrites', () => {
  it('a private channel is invisible to members without VIEW_CHANNEL in lists and message reads, visible with the role', async () => {
    const [owner, insider, outsider] = await Promise.all([t.api.register('powner'), t.api.register('pinsider'), t.api.register('poutsider')]);
    const { revolt } = await revoltWith(owner, [insider, outsider]);
    const role = (await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'insiders', color: '#123456' } })).body;
    await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${insider.id}/roles/${role.id}`, { token: owner.token });
    const secret = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'secret', settings: { isPrivate: true } } });
    expect(secret.status).toBe(201);
    const everyoneRole = revolt.roles[0].id;
    expect((await t.api.request('PUT', `/v1/channels/${secret.body.id}/permissions/${everyoneRole}`, { token: owner.token, body: { type: 'role', deny: ['VIEW_CHANNEL'] } })).status).toBe(204);
    const opened = await t.api.request('PUT', `/v1/channels/${secret.body.id}/permissions/${role.id}`, { token: owner.token, body: { type: 'role', allow: ['VIEW_CHANNEL'] } });
    expect(opened.status).toBe(204);
    const sent = await t.api.request('POST', `/v1/channels/${secret.body.id}/messages`, { token: insider.token, body: { content: 'psst' } });
    expect(sent.status).toBe(201);

    const outsiderList = await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: outsider.token, headers: pos(sent) });
    expect(outsiderList.body.items.map((c: { id: string }) => c.id)).not.toContain(secret.body.id);
    const insiderList = await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: insider.token, headers: pos(sent) });
    expect(insiderList.body.items.find((c: { id: string }) => c.id === secret.body.id)).toMatchObject({
      name: 'secret',
      settings: { isPrivate: true },
      permissions: expect.arrayContaining([expect.objectContaining({ id: role.id, allow: ['VIEW_CHANNEL'] })]),
    });
    expect((await t.api.request('GET', `/v1/channels/${secret.body.id}/messages`, { token: outsider.token })).status).toBe(404);
    expect((await t.api.request('GET', `/v1/channels/${secret.body.id}/messages`, { token: insider.token, headers: pos(sent) })).body.items).toHaveLength(1);

    const revoked = await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${insider.id}/roles/${role.id}`, { token: owner.token });
    expect(revoked.status).toBe(204);
    expect((await t.api.request('GET', `/v1/channels/${secret.body.id}/messages`, { token: insider.token })).status).toBe(404);

    // Without the @everyone deny the channel is still private: only making it public opens it to everyone.
    expect((await t.api.request('DELETE', `/v1/channels/${secret.body.id}/permissions/${everyoneRole}`, { token: owner.token })).status).toBe(204);
    expect((await t.api.request('GET', `/v1/channels/${secret.body.id}/messages`, { token: outsider.token })).status).toBe(404);
    expect((await t.api.request('PATCH', `/v1/channels/${secret.body.id}`, { token: owner.token, body: { settings: { isPrivate: false } } })).status).toBe(200);
    expect((await t.api.request('GET', `/v1/channels/${secret.body.id}/messages`, { token: outsider.token })).status).toBe(200);
  });

  it('roles: create, edit, delete; a role grants its permission; hierarchy is enforced', async () => {
    const [owner, mod, member] = await Promise.all([t.api.register('rowner'), t.api.register('rmod'), t.api.register('rmember')]);
    const { revolt } = await revoltWith(owner, [mod, member]);
    const mods = (await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'mods', permissions: ['MANAGE_ROLES', 'KICK_MEMBERS'], position: 20 } })).body;
    await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${mod.id}/roles/${mods.id}`, { token: owner.token });
    const helper = await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: mod.token, body: { name: 'helper', permissions: ['KICK_MEMBERS'] } });
    expect(helper.status).toBe(201);
    expect(helper.body.position).toBe(19);
    expect((await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: mod.token, body: { name: 'boss', permissions: ['ADMINISTRATOR'] } })).status).toBe(403);
    expect((await t.api.request('PATCH', `/v1/revolts/${revolt.id}/roles/${mods.id}`, { token: mod.token, body: { name: 'gods' } })).status).toBe(403);
    const renamed = await t.api.request('PATCH', `/v1/revolts/${revolt.id}/roles/${helper.body.id}`, { token: mod.token, body: { name: 'helpers', color: '#00ff00' } });
    expect(renamed.body).toMatchObject({ name: 'helpers', color: '#00ff00', permissions: ['KICK_MEMBERS'] });
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${member.id}/roles/${helper.body.id}`, { token: mod.token })).status).toBe(204);
    const deleted = await t.api.request('DELETE', `/v1/revolts/${revolt.id}/roles/${helper.body.id}`, { token: mod.token });
    expect(deleted.status).toBe(204);
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: pos(deleted) });
    expect(doc.body.roles.map((r: { name: string }) => r.name)).toEqual(['@everyone', 'mods']);
    const memberMe = await t.api.request('GET', '/v1/users/@me', { token: member.token, headers: pos(deleted) });
    expect(memberMe.body.revoltMemberships[0].roles).toEqual([]);
  });
});

describe('channels and categories', () => {
  it('creates text, voice and category channels, lists them by position, moves, renames, archives and deletes', async () => {
    const [owner, member] = await Promise.all([t.api.register('cowner'), t.api.register('cmember')]);
    const { revolt, general } = await revoltWith(owner, [member]);
    const post = (body: object) => t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body });
    const category = (await post({ name: 'Voice rooms', type: 'category', position: 5 })).body;
    const voice = await post({ name: 'Lounge', type: 'voice', categoryId: category.id, settings: { maxMembers: 10, bitrate: 96000 } });
    expect(voice.status).toBe(201);
    expect(voice.body).toMatchObject({ type: 'voice', categoryId: category.id, position: 6, settings: { maxMembers: 10, bitrate: 96000, region: 'auto' } });
    const news = (await post({ name: 'news', position: 1 })).body;
    expect((await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: member.token, body: { name: 'mine' } })).status).toBe(403);
    expect((await post({ name: 'bad', type: 'text', settings: { bitrate: 1 } })).status).toBe(400);

    const moved = await t.api.request('PATCH', `/v1/channels/${news.id}`, { token: owner.token, body: { position: 9, name: 'announcements', categoryId: category.id } });
    expect(moved.body).toMatchObject({ name: 'announcements', position: 9, categoryId: category.id });
    const listed = await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: member.token, headers: pos(moved) });
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['general', 'Voice rooms', 'Lounge', 'announcements']);
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: pos(moved) });
    expect(doc.body.stats.channelsCount).toBe(4);
    expect(doc.body.categories).toEqual([{ id: category.id, name: 'Voice rooms', position: 5, channels: [voice.body.id, news.id], collapsed: false }]);

    const archived = await t.api.request('PATCH', `/v1/channels/${news.id}`, { token: owner.token, body: { settings: { archived: true } } });
    expect(archived.body.settings).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    const refused = await t.api.request('POST', `/v1/channels/${news.id}/messages`, { token: owner.token, body: { content: 'late news' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('channel_archived');
    expect((await t.api.request('POST', `/v1/channels/${voice.body.id}/messages`, { token: owner.token, body: { content: 'hi' } })).status).toBe(422);

    expect((await t.api.request('DELETE', `/v1/channels/${general}`, { token: owner.token })).status).toBe(422);
    const gone = await t.api.request('DELETE', `/v1/channels/${category.id}`, { token: owner.token });
    expect(gone.status).toBe(204);
    const after = await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: member.token, headers: pos(gone) });
    expect(after.body.items.map((c: { name: string }) => c.name)).toEqual(['general', 'Lounge', 'announcements']);
    expect(after.body.items.every((c: { categoryId?: string }) => c.categoryId === undefined)).toBe(true);
  });
});

describe('deleting a revolt', () => {
  it('only the owner deletes; then it is gone from every read and every member', async () => {
    const [owner, member] = await Promise.all([t.api.register('downer'), t.api.register('dmember')]);
    const { revolt, general } = await revoltWith(owner, [member]);
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}`, { token: member.token })).status).toBe(403);
    const deleted = await t.api.request('DELETE', `/v1/revolts/${revolt.id}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    expect((await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token })).status).toBe(404);
    expect((await t.api.request('GET', `/v1/channels/${general}/messages`, { token: owner.token })).status).toBe(404);
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token })).status).toBe(404);
    const me = await t.api.request('GET', '/v1/users/@me', { token: member.token, headers: pos(deleted) });
    expect(me.body.revoltMemberships).toEqual([]);
    const mine = await t.api.request('GET', '/v1/users/@me/revolts', { token: owner.token, headers: pos(deleted) });
    expect(mine.body.items).toEqual([]);
  });
});
