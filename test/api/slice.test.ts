import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/api.ts';
import { reactorsSettled } from '../support/hostile/settle.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('slice');
});
afterAll(() => t?.close());

const at = (position: unknown) => ({ 'x-min-position': String(position) });

describe('the thin slice: register → create a revolt → join by invite → talk → page', () => {
  it('works as a client would use it, with documents of the seed shape', async () => {
    const alice = await t.api.register('alice');
    const bob = await t.api.register('bob');

    const created = await t.api.request('POST', '/v1/revolts', { token: alice.token, body: { name: 'Rebels', description: 'We Rebel' } });
    expect(created.status).toBe(201);
    const revolt = created.body;
    const [general] = revolt.channels as string[];
    expect(revolt).toMatchObject({ owner: alice.id, stats: { memberCount: 1 }, inviteCode: expect.stringMatching(/^[A-Za-z0-9]{8}$/) });
    expect(revolt.roles).toEqual([expect.objectContaining({ name: '@everyone', isManaged: true, position: 0 })]);

    const preview = await t.api.request('GET', `/v1/invites/${revolt.inviteCode}`, { headers: at(created.headers['x-event-position']) });
    expect(preview.status).toBe(200);
    expect(preview.body.revolt).toMatchObject({ id: revolt.id, name: 'Rebels', memberCount: 1 });

    const joined = await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: bob.token });
    expect(joined.status).toBe(200);
    expect(joined.body.stats.memberCount).toBe(2);

    const sent: Array<{ id: string; position: number }> = [];
    for (let i = 0; i < 7; i++) {
      const author = i % 2 ? bob : alice;
      const body = i === 3 ? { content: `reply ${i} to <@${alice.id}>`, replyTo: sent[0]?.id } : { content: `message ${i}` };
      const res = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: author.token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      sent.push({ id: res.body.id, position: Number(res.headers['x-event-position']) });
    }
    const last = sent.at(-1)!.position;

    const page = await t.api.request('GET', `/v1/channels/${general}/messages?limit=3`, { token: bob.token, headers: at(last) });
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: { id: string }) => m.id)).toEqual([sent[6]!.id, sent[5]!.id, sent[4]!.id]);
    const older = await t.api.request('GET', `/v1/channels/${general}/messages?limit=3&before=${sent[4]!.id}`, { token: bob.token });
    expect(older.body.items.map((m: { id: string }) => m.id)).toEqual([sent[3]!.id, sent[2]!.id, sent[1]!.id]);
    const newer = await t.api.request('GET', `/v1/channels/${general}/messages?limit=2&after=${sent[1]!.id}`, { token: bob.token });
    expect(newer.body.items.map((m: { id: string }) => m.id)).toEqual([sent[3]!.id, sent[2]!.id]);
    const around = await t.api.request('GET', `/v1/channels/${general}/messages?limit=3&around=${sent[3]!.id}`, { token: bob.token });
    expect(around.body.items.map((m: { id: string }) => m.id)).toEqual([sent[4]!.id, sent[3]!.id, sent[2]!.id]);

    const reply = await t.api.request('GET', `/v1/channels/${general}/messages/${sent[3]!.id}`, { token: alice.token });
    expect(reply.body).toMatchObject({
      id: sent[3]!.id,
      channelId: general,
      revoltId: revolt.id,
      authorId: bob.id,
      type: 'text',
      replyTo: sent[0]!.id,
      mentions: [alice.id],
      attachments: [],
      embeds: [],
      reactions: [],
      pinned: false,
      isDeleted: false,
    });

    const revoltDoc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: bob.token, headers: at(last) });
    expect(revoltDoc.body).toMatchObject({
      id: revolt.id,
      owner: alice.id,
      inviteCode: revolt.inviteCode,
      settings: { isPublic: true, defaultChannelId: general },
      stats: { memberCount: 2, messageCount: 7, channelsCount: 1, totalDonations: 0 },
    });
    const members = await t.api.request('GET', `/v1/revolts/${revolt.id}/members`, { token: bob.token });
    expect(members.body.items.map((m: { userId: string; isOwner: boolean }) => [m.userId, m.isOwner])).toEqual([
      [alice.id, true],
      [bob.id, false],
    ]);

    const bobMe = await t.api.request('GET', '/v1/users/@me', { token: bob.token, headers: at(last) });
    expect(bobMe.body.stats).toMatchObject({ revoltsJoined: 1, revoltsCreated: 0, messagesSent: 3 });
    expect(bobMe.body.revoltMemberships).toEqual([
      expect.objectContaining({ revoltId: revolt.id, revoltName: 'Rebels', isOwner: false, messageCount: 3 }),
    ]);

    const channels = await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: bob.token, headers: at(last) });
    expect(channels.body.items).toEqual([expect.objectContaining({ id: general, name: 'general', type: 'text', lastMessageId: sent[6]!.id })]);

    const mine = await t.api.request('GET', '/v1/users/@me/revolts', { token: bob.token });
    expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([revolt.id]);
    const discovered = await t.api.request('GET', '/v1/revolts?q=rebel', { token: bob.token });
    expect(discovered.body.items.map((r: { id: string }) => r.id)).toContain(revolt.id);
    expect(discovered.body.items[0].members).toBeUndefined();
  });

  it('keeps strangers out of a private revolt, its channels and messages', async () => {
    const owner = await t.api.register('owner');
    const stranger = await t.api.register('stranger');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Closed', settings: { isPublic: false } } })).body;
    const general = revolt.channels[0];
    const sent = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: owner.token, body: { content: 'secret' } });
    const wait = at(sent.headers['x-event-position']);
    expect((await t.api.request('GET', `/v1/channels/${general}/messages`, { token: stranger.token, headers: wait })).status).toBe(404);
    expect((await t.api.request('POST', `/v1/channels/${general}/messages`, { token: stranger.token, body: { content: 'hi' } })).status).toBe(404);
    expect((await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: stranger.token })).status).toBe(404);
    expect((await t.api.request('GET', `/v1/revolts/${revolt.id}/channels`, { token: stranger.token })).status).toBe(404);
    const discovered = await t.api.request('GET', '/v1/revolts?q=Closed', { token: stranger.token, headers: wait });
    expect(discovered.body.items).toEqual([]);
  });

  it('100 users joining one revolt at once give memberCount 101 with every membership recorded', async () => {
    const owner = await t.api.register('host');
    const revolt = (await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Crowd' } })).body;
    const users = await Promise.all(Array.from({ length: 100 }, (_, i) => t.api.register(`joiner${i}`)));
    const joins = await Promise.all(users.map((u) => t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: u.token })));
    expect(joins.map((j) => j.status)).toEqual(users.map(() => 200));
    const last = Math.max(...joins.map((j) => Number(j.headers['x-event-position'])));
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: at(last) });
    expect(doc.body.stats.memberCount).toBe(101);
    const members = await t.api.request('GET', `/v1/revolts/${revolt.id}/members?limit=100`, { token: owner.token });
    const rest = await t.api.request('GET', `/v1/revolts/${revolt.id}/members?limit=100&after=${members.body.next}`, { token: owner.token });
    expect(new Set([...members.body.items, ...rest.body.items].map((m: { userId: string }) => m.userId)).size).toBe(101);
    const joiner = await t.api.request('GET', '/v1/users/@me', { token: users[42]!.token, headers: at(last) });
    expect(joiner.body.stats.revoltsJoined).toBe(1);
  });

  it('rebuilding every read model from position 0 reproduces the same documents', async () => {
    const { engine, services } = t.server;
    // Reactors still answering the joins (their notifications) append after the last command: wait for all to settle.
    await reactorsSettled(t.server, []);
    const head = await services.store.headPosition();
    for (const name of ['users', 'revolts', 'channels', 'messages']) expect(await engine.waitForPosition(name, head, 10_000)).toBe(true);
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          ['users', 'revolts', 'channels', 'messages'].map(async (name) => [name, await services.db.collection(name).find().sort({ _id: 1 }).toArray()]),
        ),
      );
    const before = await snapshot();
    expect(before.messages.length).toBeGreaterThan(0);
    for (const name of ['users', 'revolts', 'channels', 'messages']) {
      const result = await engine.rebuild(name);
      expect(result.position).toBe(head);
    }
    expect(await snapshot()).toEqual(before);
  });
});
