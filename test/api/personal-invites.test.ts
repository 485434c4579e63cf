import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONAL_INVITES_PER_HOUR } from '../../src/commands/personal-invites/rules.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('personal_invites');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const head = () => t.server.services.store.headPosition();
const at = (res: ApiResponse) => ({ 'x-min-position': String(res.headers['x-event-position']) });

async function revoltOf(owner: User, name: string, members: User[] = []) {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const m of members) expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token })).status).toBe(200);
  return { id: created.body.id as string, general: created.body.channels[0] as string };
}

const inviteTo = (who: User, revoltId: string, userId: string) => t.api.request('POST', `/v1/revolts/${revoltId}/invites/users/${userId}`, { token: who.token });
const answer = (who: User, inviteId: string, how: 'accept' | 'decline') => t.api.request('POST', `/v1/invites/personal/${inviteId}/${how}`, { token: who.token });

/** What these routes append (reactors append notifications of their own meanwhile). */
const OURS = /^(PersonalInvite|MemberJoined)/;
const appendedSince = async (position: number) => (await t.server.services.store.readAll({ after: position })).filter((e) => OURS.test(e.type));

/** Expects a refusal with `status` and `code` that appended nothing. */
async function refused(request: () => Promise<ApiResponse>, status: number, code: string) {
  const before = await head();
  const res = await request();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.headers['x-event-position']).toBeUndefined();
  expect(await appendedSince(before)).toEqual([]);
}

describe('personal invites to a revolt', () => {
  it('an invitee lists the invite, accepts it and joins the revolt as an invite code would; accepting again changes nothing', async () => {
    const [owner, ada] = await Promise.all([t.api.register('piowner'), t.api.register('piada')]);
    const revolt = await revoltOf(owner, 'Invited');
    const sent = await inviteTo(owner, revolt.id, ada.id);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ kind: 'revolt', revoltId: revolt.id, channelId: null, inviterId: owner.id, inviteeId: ada.id, status: 'pending' });
    expect(Date.parse(sent.body.expiresAt) - Date.parse(sent.body.sentAt)).toBe(7 * 24 * 3600 * 1000);

    const listed = await t.api.request('GET', '/v1/users/@me/invites', { token: ada.token, headers: at(sent) });
    expect(listed.body).toEqual({ items: [{ ...sent.body }] });
    expect((await t.api.request('GET', '/v1/users/@me/invites', { token: owner.token, headers: at(sent) })).body).toEqual({ items: [] });

    // The revolt names its rules channel: accepting points the new member to it, as joining with a code does.
    const ruled = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { settings: { rulesChannelId: revolt.general } } });
    expect(ruled.status, JSON.stringify(ruled.body)).toBe(200);
    const accepted = await answer(ada, sent.body.id, 'accept');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.invite.status).toBe('accepted');
    expect(accepted.body.revolt.id).toBe(revolt.id);
    expect(accepted.body.revolt.rulesChannel).toEqual({ id: revolt.general, name: 'general' });
    const joined = (await t.server.services.store.readStream(`revolt-${revolt.id}`)).filter((e) => e.type === 'MemberJoined' && (e.data as { userId: string }).userId === ada.id);
    expect(joined.map((e) => e.data)).toEqual([expect.objectContaining({ personalInviteId: sent.body.id })]);
    expect((await t.api.request('GET', '/v1/users/@me/invites', { token: ada.token, headers: at(accepted) })).body).toEqual({ items: [] });

    const again = await answer(ada, sent.body.id, 'accept');
    expect(again.status).toBe(200);
    expect(again.headers['x-event-position']).toBeUndefined();
    await refused(() => answer(ada, sent.body.id, 'decline'), 409, 'personal_invite_answered');
  });

  it('only the invitee answers (404 to anyone else); one open invite per inviter and target; declining lets a new one go', async () => {
    const [owner, bob, eve] = await Promise.all([t.api.register('piowner2'), t.api.register('pibob'), t.api.register('pieve')]);
    const revolt = await revoltOf(owner, 'Once');
    const sent = await inviteTo(owner, revolt.id, bob.id);
    expect(sent.status).toBe(201);
    await refused(() => answer(eve, sent.body.id, 'accept'), 404, 'not_found');
    await refused(() => answer(owner, sent.body.id, 'decline'), 404, 'not_found');
    const before = await head();
    const twice = await inviteTo(owner, revolt.id, bob.id);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'personal_invite_pending', details: { inviteId: sent.body.id } });
    expect(await appendedSince(before)).toEqual([]);
    const declined = await answer(bob, sent.body.id, 'decline');
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    expect((await inviteTo(owner, revolt.id, bob.id)).status).toBe(201);
  });

  it('refuses without CREATE_INVITES, from outside, to oneself, to members, to unknown users, and a banned invitee at accept', async () => {
    const [owner, plain, member, banned] = await Promise.all([t.api.register('piowner3'), t.api.register('piplain'), t.api.register('pimember'), t.api.register('pibanned')]);
    const revolt = await revoltOf(owner, 'Rules', [plain, member]);
    const everyone = (await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token })).body.roles.find((r: { name: string }) => r.name === '@everyone');
    const patched = await t.api.request('PATCH', `/v1/revolts/${revolt.id}/roles/${everyone.id}`, { token: owner.token, body: { permissions: ['VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY', 'CONNECT'] } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await refused(() => inviteTo(plain, revolt.id, banned.id), 403, 'forbidden');
    const outsider = await t.api.register('pioutsider');
    await refused(() => inviteTo(outsider, revolt.id, banned.id), 403, 'forbidden');
    await refused(() => inviteTo(owner, revolt.id, owner.id), 422, 'cannot_invite_self');
    await refused(() => inviteTo(owner, revolt.id, member.id), 409, 'already_member');
    await refused(() => inviteTo(owner, revolt.id, 'f'.repeat(24)), 404, 'not_found');
    await refused(() => inviteTo(owner, 'e'.repeat(24), member.id), 404, 'not_found');
    await refused(() => t.api.request('POST', `/v1/revolts/${revolt.id}/invites/users/${member.id}`), 401, 'unauthorized');

    const sent = await inviteTo(owner, revolt.id, banned.id);
    expect(sent.status).toBe(201);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${banned.id}`, { token: owner.token, body: {} })).status).toBeLessThan(300);
    await refused(() => answer(banned, sent.body.id, 'accept'), 403, 'forbidden');
  });

  it('an invitee who takes invites only from shared revolts refuses strangers (403, nothing recorded) and takes them from co-members', async () => {
    const [owner, shy, stranger] = await Promise.all([t.api.register('piowner4'), t.api.register('pishy'), t.api.register('pistranger')]);
    const settings = await t.api.request('PATCH', '/v1/users/@me/invite-settings', { token: shy.token, body: { onlyFromSharedRevolts: true } });
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ onlyFromSharedRevolts: true });
    expect((await t.api.request('GET', '/v1/users/@me/invite-settings', { token: shy.token })).body).toEqual({ onlyFromSharedRevolts: true });
    const target = await revoltOf(stranger, 'Target');
    await refused(() => inviteTo(stranger, target.id, shy.id), 403, 'invites_blocked');

    // Once they share a revolt, the invite goes.
    await revoltOf(owner, 'Common', [shy, stranger]);
    // Who shares a revolt is looked up in the users read model: let it see the joins.
    expect(await t.server.engine.waitForPosition('users', await head(), 15_000)).toBe(true);
    expect((await inviteTo(stranger, target.id, shy.id)).status).toBe(201);
  });
});

describe('documented', () => {
  it('the routes are in /openapi.json', async () => {
    const { paths } = (await t.api.request('GET', '/openapi.json')).body;
    for (const path of ['/v1/revolts/{revoltId}/invites/users/{userId}', '/v1/channels/{channelId}/voice/invites/{userId}', '/v1/invites/personal/{inviteId}/accept', '/v1/invites/personal/{inviteId}/decline']) {
      expect(Object.keys(paths[path]), path).toEqual(['post']);
    }
    expect(paths['/v1/users/@me/invites'].get.responses['200']).toBeDefined();
    expect(Object.keys(paths['/v1/users/@me/invite-settings']).sort()).toEqual(['get', 'patch']);
  });
});

describe('retries', () => {
  it('a send retried with its Idempotency-Key answers the same invite and records it once', async () => {
    const [owner, ada] = await Promise.all([t.api.register('piowner5'), t.api.register('piretry')]);
    const revolt = await revoltOf(owner, 'Retried');
    const before = await head();
    const headers = { 'idempotency-key': `invite-${ada.id}` };
    const first = await t.api.request('POST', `/v1/revolts/${revolt.id}/invites/users/${ada.id}`, { token: owner.token, headers });
    const again = await t.api.request('POST', `/v1/revolts/${revolt.id}/invites/users/${ada.id}`, { token: owner.token, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await appendedSince(before)).map((e) => e.type)).toEqual(['PersonalInviteSent']);
  });
});

describe('personal invites to a voice channel', () => {
  it('a member who may connect invites another member; accepting answers where to join; non-members are refused', async () => {
    const [owner, ada, outsider] = await Promise.all([t.api.register('pvowner'), t.api.register('pvada'), t.api.register('pvout')]);
    const revolt = await revoltOf(owner, 'Voice', [ada]);
    const voice = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'lounge', type: 'voice' } });
    expect(voice.status, JSON.stringify(voice.body)).toBe(201);
    const sent = await t.api.request('POST', `/v1/channels/${voice.body.id}/voice/invites/${ada.id}`, { token: owner.token });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ kind: 'voice', channelId: voice.body.id, revoltId: revolt.id });
    const accepted = await answer(ada, sent.body.id, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      invite: expect.objectContaining({ status: 'accepted' }),
      voice: { revoltId: revolt.id, channelId: voice.body.id, join: `/v1/channels/${voice.body.id}/voice/members/@me` },
    });
    await refused(() => t.api.request('POST', `/v1/channels/${voice.body.id}/voice/invites/${outsider.id}`, { token: owner.token }), 422, 'invitee_cannot_join');
    await refused(() => t.api.request('POST', `/v1/channels/${revolt.general}/voice/invites/${ada.id}`, { token: owner.token }), 422, 'not_a_voice_channel');
    await refused(() => t.api.request('POST', `/v1/channels/${voice.body.id}/voice/invites/${ada.id}`, { token: outsider.token }), 404, 'not_found');
  });
});

describe('rate limit', () => {
  it('a sender is limited per hour across both kinds of invite: past it, 429 with Retry-After and nothing recorded', async () => {
    const [owner, ada, bob, carol] = await Promise.all(['pilimit0', 'pilimit1', 'pilimit2', 'pilimit3'].map((name) => t.api.register(name)));
    const revolt = await revoltOf(owner, 'Limited', [bob]);
    const voice = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'lounge', type: 'voice' } });
    const sent = await inviteTo(owner, revolt.id, ada.id);
    expect(sent.status).toBe(201);
    // The hour's budget (PERSONAL_INVITES_PER_HOUR × RATE_LIMIT_SCALE) is one Redis counter per sender, shared by both routes.
    const limit = Number(sent.headers['x-ratelimit-limit']);
    expect(limit).toBe(PERSONAL_INVITES_PER_HOUR * t.server.services.config.RATE_LIMIT_SCALE);
    expect(Number(sent.headers['x-ratelimit-remaining'])).toBe(limit - 1);
    const { redis, config } = t.server.services;
    await redis.set(`${config.REDIS_PREFIX}:rl:personal-invites:u:${owner.id}`, String(limit - 1), 'KEEPTTL');
    const last = await t.api.request('POST', `/v1/channels/${voice.body.id}/voice/invites/${bob.id}`, { token: owner.token });
    expect(last.status).toBe(201);
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    const before = await head();
    const over = await inviteTo(owner, revolt.id, carol.id);
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(3000);
    expect(await appendedSince(before)).toEqual([]);
  });
});
