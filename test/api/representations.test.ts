import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN } from '../../src/projections/views.ts';
import { startTestServer } from '../support/api.ts';
import { paymentIntentEvent, signed, STRIPE_TEST_ENV } from '../payments/stripe-webhooks.ts';

/** One representation per resource: a command answers its resource exactly as the matching GET then shows it. */

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('representations', STRIPE_TEST_ENV);
});
afterAll(async () => {
  await t?.close();
});

const get = async (url: string, token: string) => {
  const res = await t.api.request('GET', url, { token });
  expect(res.status).toBe(200);
  return res.body;
};

describe('users', () => {
  it('registration, a profile change and a status change answer the whole user as GET /users/@me shows it', async () => {
    const res = await t.api.request('POST', '/v1/auth/register', { body: { email: `rep-${Date.now()}@example.com`, username: 'repuser', password: 'correct horse battery' } });
    expect(res.status).toBe(201);
    const { user, token } = res.body;
    expect(user).toEqual(await get('/v1/users/@me', token));
    expect(user).toMatchObject({ username: 'repuser', email: expect.any(String), stats: expect.any(Object), joinedAt: expect.any(String) });

    const patched = await t.api.request('PATCH', '/v1/users/@me', { token, body: { bio: 'hello' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: user.id, username: 'repuser', bio: 'hello' });
    expect(patched.body).toEqual(await get('/v1/users/@me', token));

    const status = await t.api.request('PUT', '/v1/users/@me/status', { token, body: { status: 'busy' } });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: user.id, status: 'busy', bio: 'hello' });
    expect(status.body).toEqual(await get('/v1/users/@me', token));
  });
});

describe('revolts and invites', () => {
  it('creating, joining, updating and transferring answer the revolt as GET /revolts/:id shows it', async () => {
    const [owner, joiner] = await Promise.all([t.api.register('repowner'), t.api.register('repjoiner')]);
    const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Same Shape', description: 'one shape' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/revolts/${created.body.id}`);
    expect(created.body).toMatchObject({ description: 'one shape', stats: { memberCount: 1 }, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(created.body).not.toHaveProperty('memberCount');
    expect(created.body).not.toHaveProperty('members');
    const url = `/v1/revolts/${created.body.id}`;
    expect(created.body).toEqual(await get(url, owner.token));

    const joined = await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: joiner.token });
    expect(joined.status).toBe(200);
    expect(joined.body.stats.memberCount).toBe(2);
    expect(joined.body).toEqual(await get(url, joiner.token));

    const updated = await t.api.request('PATCH', url, { token: owner.token, body: { description: 'still one shape' } });
    expect(updated.status).toBe(200);
    expect(updated.body.description).toBe('still one shape');
    expect(updated.body).toEqual(await get(url, owner.token));

    const transferred = await t.api.request('POST', `${url}/owner`, { token: owner.token, body: { userId: joiner.id } });
    expect(transferred.status).toBe(200);
    expect(transferred.body.owner).toBe(joiner.id);
    expect(transferred.body).toEqual(await get(url, owner.token));
  });

  it('regenerating the invite answers the invite as GET /invites/:code shows it', async () => {
    const owner = await t.api.register('repinviter');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Invites', settings: { allowInvites: true } } })).body;
    const regenerated = await t.api.request('POST', `/v1/revolts/${revolt.id}/invite`, { token: owner.token });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.code).not.toBe(revolt.inviteCode);
    expect(regenerated.body).not.toHaveProperty('inviteCode');
    expect(regenerated.body).toEqual(await get(`/v1/invites/${regenerated.body.code}`, owner.token));
    expect(regenerated.body.revolt).toMatchObject({ id: revolt.id, name: 'Invites', memberCount: 1 });
  });
});

describe('channels, roles and messages', () => {
  it('answer what the revolt’s lists and reads show', async () => {
    const owner = await t.api.register('repchannels');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Rooms' } })).body;
    const channelOf = async (id: string) => (await get(`/v1/revolts/${revolt.id}/channels`, owner.token)).items.find((c: { id: string }) => c.id === id);

    const created = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'plans', description: 'what next' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'plans', description: 'what next', createdAt: expect.any(String), lastActivity: expect.any(String) });
    expect(created.body).toEqual(await channelOf(created.body.id));
    const renamed = await t.api.request('PATCH', `/v1/channels/${created.body.id}`, { token: owner.token, body: { name: 'plans-2' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual(await channelOf(created.body.id));

    const roleOf = async (id: string) => (await get(`/v1/revolts/${revolt.id}`, owner.token)).roles.find((r: { id: string }) => r.id === id);
    const role = await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'crew', position: 1 } });
    expect(role.status).toBe(201);
    expect(role.body).toMatchObject({ name: 'crew', createdAt: expect.any(String) });
    expect(role.body).toEqual(await roleOf(role.body.id));
    const recoloured = await t.api.request('PATCH', `/v1/revolts/${revolt.id}/roles/${role.body.id}`, { token: owner.token, body: { color: '#123456' } });
    expect(recoloured.status).toBe(200);
    expect(recoloured.body).toEqual(await roleOf(role.body.id));

    const channelId = revolt.channels[0];
    const sent = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: owner.token, body: { content: 'same shape' } });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual(await get(`/v1/channels/${channelId}/messages/${sent.body.id}`, owner.token));
    const edited = await t.api.request('PATCH', `/v1/channels/${channelId}/messages/${sent.body.id}`, { token: owner.token, body: { content: 'still' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual(await get(`/v1/channels/${channelId}/messages/${sent.body.id}`, owner.token));
  });
});

describe('donations and voice', () => {
  it('a refund answers the donation as the revolt’s donation list shows it to the caller', async () => {
    const [owner, donor] = await Promise.all([t.api.register('repfund'), t.api.register('repdonor')]);
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Fund' } })).body;
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: donor.token })).status).toBe(200);
    const pledged = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body: { amount: 1500, currency: 'usd' } });
    expect(pledged.status).toBe(201);
    const { payload, headers } = signed(paymentIntentEvent('payment_intent.succeeded', pledged.body.donation));
    expect((await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers })).body.outcome).toBe('applied');

    const refunded = await t.api.request('POST', `/v1/donations/${pledged.body.donation.id}/refund`, { token: owner.token });
    expect(refunded.status).toBe(200);
    expect(refunded.body.donation).toMatchObject({ status: 'refunded', refundedAmount: 1500, donor: { userId: donor.id } });
    expect(refunded.body.donation).toEqual((await get(`/v1/revolts/${revolt.id}/donations`, owner.token)).items[0]);
  });

  it('joining voice answers the session as GET /channels/:id/voice shows it', async () => {
    const owner = await t.api.register('repvoice');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Voices' } })).body;
    const channel = (await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'talk', type: 'voice' } })).body;
    const joined = await t.api.request('PUT', `/v1/channels/${channel.id}/voice/members/@me`, { token: owner.token, body: {} });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ channelId: channel.id, isActive: true, participants: [{ userId: owner.id }] });
    expect(joined.body).toEqual(await get(`/v1/channels/${channel.id}/voice`, owner.token));
  });
});

describe('unknown fields', () => {
  it('are named with their path: body.extra at the root, body.settings.colour inside', async () => {
    const user = await t.api.register('repkeys');
    const before = await t.server.services.store.headPosition();
    const root = await t.api.request('POST', '/v1/revolts', { token: user.token, body: { name: 'Keys', extra: 1 } });
    expect(root.status).toBe(400);
    expect(root.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'body.extra', message: 'unknown field' }] });
    const nested = await t.api.request('POST', '/v1/revolts', { token: user.token, body: { name: 'Keys', settings: { colour: 'red' } } });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details).toEqual([{ path: 'body.settings.colour', message: 'unknown field' }]);
    expect(await t.server.services.store.headPosition()).toBe(before);
  });
});

describe('response schemas', () => {
  /** Every field path of a JSON value (array items merged), e.g. `stats.memberCount`, `roles[].createdAt`. */
  const paths = (value: unknown, prefix = ''): string[] => {
    if (Array.isArray(value)) return [...new Set(value.flatMap((item) => paths(item, `${prefix}[]`)))];
    if (value === null || typeof value !== 'object' || value.constructor !== Object) return prefix ? [prefix] : [];
    return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${prefix ? '.' : ''}${key}`, ...paths(inner, `${prefix}${prefix ? '.' : ''}${key}`)]);
  };
  const INTERNAL = new Set(Object.keys(HIDDEN));
  const stored = async (collection: string, filter: object) => {
    const doc = await t.server.services.db.collection(collection).findOne(filter);
    expect(doc).not.toBeNull();
    return JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(doc!).filter(([key]) => !INTERNAL.has(key)))));
  };

  it('leave out no field of the documents the reads are made of', async () => {
    const [owner, member] = await Promise.all([t.api.register('repfields'), t.api.register('repfieldm')]);
    await t.api.request('PATCH', '/v1/users/@me', { token: owner.token, body: { bio: 'b', socialLinks: { twitter: 'tw' } } });
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Fields', icon: 'https://example.com/i.png' } })).body;
    await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token });
    const category = (await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'cat', type: 'category' } })).body;
    const channel = (
      await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'inside', categoryId: category.id, description: 'd' } })
    ).body;
    await t.api.request('PUT', `/v1/channels/${channel.id}/permissions/${member.id}`, { token: owner.token, body: { type: 'member', allow: ['SEND_MESSAGES'] } });
    const sent = (
      await t.api.request('POST', `/v1/channels/${channel.id}/messages`, {
        token: owner.token,
        body: { content: `hi <@${member.id}> https://example.com`, embeds: [{ title: 't', fields: [{ name: 'n', value: 'v' }], timestamp: '2025-01-01T00:00:00Z' }] },
      })
    ).body;
    await t.api.request('PUT', `/v1/channels/${channel.id}/messages/${sent.id}/reactions/%F0%9F%91%8D/@me`, { token: member.token });
    await t.api.request('PUT', `/v1/channels/${channel.id}/pins/${sent.id}`, { token: owner.token });
    await t.api.request('PATCH', `/v1/channels/${channel.id}/messages/${sent.id}`, { token: owner.token, body: { content: 'edited https://example.com' } });

    const missing = (answer: unknown, doc: unknown) => paths(doc).filter((path) => !paths(answer).includes(path));
    const { members, ...revoltDoc } = await stored('revolts', { id: revolt.id });
    expect(missing(await get(`/v1/revolts/${revolt.id}`, owner.token), revoltDoc)).toEqual([]);
    expect(missing((await get(`/v1/revolts/${revolt.id}/members`, owner.token)).items, members)).toEqual([]);
    expect(missing(await get('/v1/users/@me', owner.token), await stored('users', { id: owner.id }))).toEqual([]);
    const channels = (await get(`/v1/revolts/${revolt.id}/channels`, owner.token)).items;
    expect(missing(channels.find((c: { id: string }) => c.id === channel.id), await stored('channels', { id: channel.id }))).toEqual([]);
    const message = await get(`/v1/channels/${channel.id}/messages/${sent.id}`, owner.token);
    expect(missing(message, await stored('messages', { id: sent.id }))).toEqual([]);
    expect(message).toMatchObject({ pinned: true, editedAt: expect.any(String), reactions: [{ count: 1, me: false }] });
  });
});
