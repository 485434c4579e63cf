import { Redis } from 'ioredis';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentDecider, attachmentStream } from '../../src/commands/attachments/decide.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';
import { REDIS_URL } from '../support/engines.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('messages');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
type Message = { id: string; content: string; reactions: Array<{ emoji: string; count: number; users: string[]; me: boolean }>; [key: string]: unknown };

/** Read-your-writes: wait for the read models to reach what these commands appended. */
const after = (...responses: ApiResponse[]) => {
  const positions = responses.map((r) => Number(r.headers['x-event-position'])).filter((p) => Number.isFinite(p));
  return { 'x-min-position': String(Math.max(0, ...positions)) };
};

/** An owner's revolt with `count` members joined by invite; its default text channel is `general`. */
async function community(label: string, count: number) {
  const [owner, ...members] = await Promise.all(Array.from({ length: count + 1 }, (_, i) => t.api.register(`${label}${i}`)));
  const created = await t.api.request('POST', '/v1/revolts', { token: owner!.token, body: { name: `${label} revolt` } });
  expect(created.status).toBe(201);
  const revolt = created.body;
  for (const member of members) expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token })).status).toBe(200);
  return { owner: owner!, members, revolt, general: revolt.channels[0] as string, everyoneRole: revolt.roles[0].id as string };
}

async function send(user: User, channelId: string, body: Record<string, unknown>) {
  const res = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

/** An upload as POST /v1/attachments records it (the blob itself is the attachments module's business). */
async function recordUpload(user: User, filename: string, contentType: string): Promise<string> {
  const attachmentId = new ObjectId().toHexString();
  const command = { type: 'RecordUpload' as const, attachmentId, uploaderId: user.id, filename, size: 3, contentType, blobKey: `attachments/${attachmentId}`, at: new Date().toISOString() };
  await t.server.services.commands.execute(attachmentStream(attachmentId), attachmentDecider, command, { actorId: user.id, correlationId: 'test', causationId: 'test' });
  return attachmentId;
}

const path = (channelId: string, messageId: string) => `/v1/channels/${channelId}/messages/${messageId}`;
const reaction = (channelId: string, messageId: string, emoji: string) => `${path(channelId, messageId)}/reactions/${encodeURIComponent(emoji)}/@me`;

describe('editing and deleting messages', () => {
  it('the author edits (mentions parsed again, answered with the message a read then returns); nobody else may', async () => {
    const { owner, members: [bob, carol], general } = await community('edit', 2);
    const sent = await send(bob!, general, { content: 'first draft' });
    const id = sent.body.id;

    const edited = await t.api.request('PATCH', path(general, id), { token: bob!.token, body: { content: `hi <@${carol!.id}> and <@${'9'.repeat(24)}>` } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, content: `hi <@${carol!.id}> and <@${'9'.repeat(24)}>`, mentions: [carol!.id], editedAt: expect.any(String) });
    const read = await t.api.request('GET', path(general, id), { token: bob!.token, headers: after(edited) });
    expect(read.body).toEqual(edited.body);

    expect((await t.api.request('PATCH', path(general, id), { token: owner.token, body: { content: 'owned' } })).status).toBe(403);
    expect((await t.api.request('PATCH', path(general, id), { token: carol!.token, body: { content: 'mine now' } })).status).toBe(403);
    expect((await t.api.request('PATCH', path(general, id), { token: bob!.token, body: { content: ' ' } })).body.error.code).toBe('empty_message');
    expect((await t.api.request('PATCH', path(general, id), { token: bob!.token, body: { content: 'x', extra: 1 } })).status).toBe(400);
    expect((await t.api.request('PATCH', path(general, 'f'.repeat(24)), { token: bob!.token, body: { content: 'x' } })).status).toBe(404);
  });

  it("a member deletes their own message but not another's (403); MANAGE_MESSAGES deletes any; twice is a no-op; deleted is gone from reads", async () => {
    const { owner, members: [bob, carol], general } = await community('del', 2);
    const bobs = await send(bob!, general, { content: 'bob says' });
    const carols = await send(carol!, general, { content: 'carol says' });
    const kept = await send(carol!, general, { content: 'carol stays' });

    const denied = await t.api.request('DELETE', path(general, carols.body.id), { token: bob!.token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.details).toEqual({ missing: ['MANAGE_MESSAGES'] });

    const own = await t.api.request('DELETE', path(general, bobs.body.id), { token: bob!.token });
    expect(own.status).toBe(204);
    expect(own.headers['x-event-position']).toBeDefined();
    const again = await t.api.request('DELETE', path(general, bobs.body.id), { token: bob!.token });
    expect(again.status).toBe(204);
    expect(again.headers['x-event-position']).toBeUndefined();
    const moderated = await t.api.request('DELETE', path(general, carols.body.id), { token: owner.token });
    expect(moderated.status).toBe(204);

    const wait = after(own, moderated);
    expect((await t.api.request('GET', path(general, bobs.body.id), { token: bob!.token, headers: wait })).status).toBe(404);
    const list = await t.api.request('GET', `/v1/channels/${general}/messages`, { token: bob!.token, headers: wait });
    expect(list.body.items.map((m: Message) => m.id)).toEqual([kept.body.id]);
    expect((await t.api.request('PATCH', path(general, bobs.body.id), { token: bob!.token, body: { content: 'undo' } })).status).toBe(404);
    const reply = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: 're', replyTo: carols.body.id } });
    expect(reply.body.error.code).toBe('reply_target_missing');

    const stored = await t.server.services.db.collection('messages').findOne({ id: bobs.body.id });
    expect(stored).toMatchObject({ content: 'bob says', isDeleted: true, deletedAt: expect.any(Date) });
    const revolt = await t.api.request('GET', `/v1/revolts/${list.body.items[0].revoltId}`, { token: bob!.token, headers: wait });
    expect(revolt.body.stats.messageCount).toBe(3);
  });
});

describe('reactions', () => {
  it('20 concurrent reactors: exact count and users, `me` per caller; adding twice and removing what is missing change nothing', async () => {
    const { owner, members, general } = await community('react', 20);
    const message = await send(owner, general, { content: 'react to me' });
    const id = message.body.id;

    const added = await Promise.all(members.map((m) => t.api.request('PUT', reaction(general, id, '🔥'), { token: m.token })));
    expect(added.map((r) => r.status)).toEqual(members.map(() => 204));
    const removed = await Promise.all(members.slice(0, 5).map((m) => t.api.request('DELETE', reaction(general, id, '🔥'), { token: m.token })));
    expect(removed.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    const noops = await Promise.all([
      t.api.request('PUT', reaction(general, id, '🔥'), { token: members[10]!.token }),
      t.api.request('DELETE', reaction(general, id, '🔥'), { token: members[0]!.token }),
      t.api.request('DELETE', reaction(general, id, '👍'), { token: owner.token }),
    ]);
    expect(noops.map((r) => [r.status, r.headers['x-event-position']])).toEqual([[204, undefined], [204, undefined], [204, undefined]]);
    const heart = await t.api.request('PUT', reaction(general, id, '❤'), { token: owner.token });

    const wait = after(...added, ...removed, heart);
    const asMember = await t.api.request('GET', path(general, id), { token: members[7]!.token, headers: wait });
    const fire = asMember.body.reactions[0];
    expect(fire).toMatchObject({ emoji: '🔥', count: 15, me: true });
    expect(new Set(fire.users)).toEqual(new Set(members.slice(5).map((m) => m.id)));
    expect(asMember.body.reactions[1]).toEqual({ emoji: '❤️', count: 1, users: [owner.id], me: false });
    const asOwner = await t.api.request('GET', `/v1/channels/${general}/messages`, { token: owner.token });
    expect(asOwner.body.items[0].reactions.map((r: { me: boolean }) => r.me)).toEqual([false, true]);
    const asLeaver = await t.api.request('GET', path(general, id), { token: members[0]!.token });
    expect(asLeaver.body.reactions[0].me).toBe(false);
    const stored = await t.server.services.db.collection('messages').findOne({ id });
    expect(stored!.reactions.every((r: { count: number; users: unknown[]; me?: boolean }) => r.count === r.users.length && r.me === undefined)).toBe(true);
  });

  it('validates the emoji (Unicode or name:id, URL-encoded), caps 20 emojis per message, and needs ADD_REACTIONS', async () => {
    const { owner, members: [bob], general, everyoneRole } = await community('emoji', 1);
    const message = await send(owner, general, { content: 'emoji test' });
    const id = message.body.id;
    for (const bad of ['lol', '😀😀', '<script>', `x:${'a'.repeat(24)}`]) {
      const res = await t.api.request('PUT', reaction(general, id, bad), { token: bob!.token });
      expect([res.status, res.body.error.code], bad).toEqual([400, 'invalid_request']);
    }
    expect((await t.api.request('PUT', reaction(general, id, `party_parrot:${'0123456789abcdef01234567'}`), { token: bob!.token })).status).toBe(204);
    const emojis = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚'];
    for (const emoji of emojis) expect((await t.api.request('PUT', reaction(general, id, emoji), { token: bob!.token })).status).toBe(204);
    const over = await t.api.request('PUT', reaction(general, id, '🤔'), { token: owner.token });
    expect([over.status, over.body.error.code]).toEqual([422, 'too_many_reactions']);
    expect((await t.api.request('PUT', reaction(general, id, '😀'), { token: owner.token })).status).toBe(204);

    const denied = await t.api.request('PUT', `/v1/channels/${general}/permissions/${everyoneRole}`, { token: owner.token, body: { type: 'role', deny: ['ADD_REACTIONS'] } });
    expect(denied.status).toBe(204);
    const refused = await t.api.request('PUT', reaction(general, id, '😀'), { token: bob!.token });
    expect([refused.status, refused.body.error.details]).toEqual([403, { missing: ['ADD_REACTIONS'] }]);
    expect((await t.api.request('DELETE', reaction(general, id, '😀'), { token: bob!.token })).status).toBe(204);
  });
});

describe('pins', () => {
  it('MANAGE_MESSAGES pins and unpins; pins list newest pin first; at most 50; deleted or foreign messages refused', async () => {
    const { owner, members: [bob], general } = await community('pins', 1);
    const other = await community('pinsother', 0);
    const foreign = await send(other.owner, other.general, { content: 'elsewhere' });
    const sent: ApiResponse[] = [];
    for (let i = 0; i < 52; i++) sent.push(await send(i % 2 ? owner : bob!, general, { content: `m${i}` }));
    const ids = sent.map((s) => s.body.id as string);
    const pin = (messageId: string, user: User = owner, method: 'PUT' | 'DELETE' = 'PUT') =>
      t.api.request(method, `/v1/channels/${general}/pins/${messageId}`, { token: user.token });

    expect((await pin(ids[0]!, bob!)).status).toBe(403);
    expect((await pin(foreign.body.id)).status).toBe(404);
    const gone = await t.api.request('DELETE', path(general, ids[51]!), { token: owner.token });
    expect(gone.status).toBe(204);
    expect((await pin(ids[51]!)).status).toBe(404);

    const pins: ApiResponse[] = [];
    for (const id of ids.slice(0, 50)) {
      const res = await pin(id);
      expect(res.status).toBe(204);
      pins.push(res);
    }
    expect((await pin(ids[49]!)).headers['x-event-position']).toBeUndefined();
    const full = await pin(ids[50]!);
    expect([full.status, full.body.error.code]).toEqual([422, 'too_many_pins']);

    const listed = await t.api.request('GET', `/v1/channels/${general}/pins`, { token: bob!.token, headers: after(...pins, gone) });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((m: Message) => m.id)).toEqual(ids.slice(0, 50).reverse());
    expect(listed.body.items[0]).toMatchObject({ pinned: true, pinnedAt: expect.any(String) });

    const unpinned = await pin(ids[0]!, owner, 'DELETE');
    expect(unpinned.status).toBe(204);
    expect((await pin(ids[0]!, owner, 'DELETE')).status).toBe(204);
    const deletedPinned = await t.api.request('DELETE', path(general, ids[1]!), { token: owner.token });
    expect(deletedPinned.status).toBe(204);
    const refilled = await pin(ids[50]!);
    expect(refilled.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 5)); // pinnedAt has millisecond resolution
    const repinned = await pin(ids[0]!);
    expect(repinned.status).toBe(204);
    const unpinnedAgain = await pin(ids[2]!, owner, 'DELETE');
    expect(unpinnedAgain.status).toBe(204);

    const relisted = await t.api.request('GET', `/v1/channels/${general}/pins`, { token: bob!.token, headers: after(repinned, unpinnedAgain, deletedPinned) });
    const relistedIds = relisted.body.items.map((m: Message) => m.id);
    expect(relistedIds.slice(0, 2)).toEqual([ids[0], ids[50]]);
    expect(relistedIds).toHaveLength(49);
    expect(relistedIds).not.toContain(ids[1]);
    const read = await t.api.request('GET', path(general, ids[2]!), { token: bob!.token });
    expect(read.body.pinned).toBe(false);
    expect(read.body.pinnedAt).toBeUndefined();
  });
});

describe('pins under concurrency', () => {
  it('60 concurrent pins in one channel: exactly 50 are accepted', async () => {
    const { owner, general } = await community('pinrace', 0);
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => send(owner, general, { content: `race ${i}` })));
    const pins = await Promise.all(sent.map((m) => t.api.request('PUT', `/v1/channels/${general}/pins/${m.body.id}`, { token: owner.token })));
    const statuses = pins.map((p) => p.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(50);
    expect(statuses.filter((s) => s === 422)).toHaveLength(10);
    const listed = await t.api.request('GET', `/v1/channels/${general}/pins`, { token: owner.token, headers: after(...pins) });
    expect(listed.body.items).toHaveLength(50);
  });
});

describe('slow mode', () => {
  it('a member waits between messages (429 with Retry-After, then succeeds); moderators are exempt; a refused message costs no wait', async () => {
    const { owner, members: [bob], general } = await community('slow', 1);
    const set = await t.api.request('PATCH', `/v1/channels/${general}`, { token: owner.token, body: { settings: { slowMode: 1 } } });
    expect(set.status).toBe(200);

    const refused = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: '  ' } });
    expect(refused.status).toBe(422);
    await send(bob!, general, { content: 'one' });
    const limited = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: 'two' } });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 1, slowMode: 1 } });
    await send(owner, general, { content: 'owner is exempt' });
    await send(owner, general, { content: 'owner is exempt, twice' });

    await new Promise((resolve) => setTimeout(resolve, 1050));
    await send(bob!, general, { content: 'two, later' });
  });
});

describe('embeds, attachments and typing', () => {
  it('supplied embeds need EMBED_LINKS and are validated; links become link embeds; embeds-only messages are of type embed', async () => {
    const { owner, members: [bob], general, everyoneRole } = await community('embed', 1);
    const card = { title: 'Rally', description: 'Saturday', url: 'https://rally.example', color: '#ff8800', timestamp: '2026-03-01T10:00:00Z', fields: [{ name: 'Where', value: 'Square', inline: true }] };
    const rich = await send(bob!, general, { embeds: [card] });
    expect(rich.body).toMatchObject({ type: 'embed', content: '', embeds: [{ type: 'rich', ...card, timestamp: '2026-03-01T10:00:00.000Z' }] });
    const linked = await send(bob!, general, { content: 'read https://news.example/a and https://news.example/a' });
    expect(linked.body.embeds).toEqual([{ type: 'link', url: 'https://news.example/a', fields: [] }]);
    const read = await t.api.request('GET', path(general, rich.body.id), { token: owner.token, headers: after(linked) });
    expect(read.body).toEqual(rich.body);

    for (const embeds of [[{ title: 'x', url: 'javascript:alert(1)' }], [{ title: 'x', color: 'red' }], Array.from({ length: 11 }, () => ({ title: 'x' }))]) {
      const bad = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: 'x', embeds } });
      expect(bad.status, JSON.stringify(embeds)).toBe(400);
    }
    const empty = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: '', embeds: [] } });
    expect(empty.body.error.code).toBe('empty_message');
    const unknown = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: 'x', attachments: ['f'.repeat(24)] } });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'attachment_not_found']);
    const uploaded = await recordUpload(bob!, 'photo.png', 'image/png');
    const withFile = await send(bob!, general, { attachments: [uploaded] });
    expect(withFile.body).toMatchObject({
      type: 'image',
      content: '',
      attachments: [{ id: uploaded, filename: 'photo.png', url: `/v1/attachments/${uploaded}/photo.png`, size: 3, contentType: 'image/png' }],
    });
    const notMine = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: owner.token, body: { attachments: [uploaded] } });
    expect(notMine.body.error.code).toBe('attachment_not_owned');

    await t.api.request('PUT', `/v1/channels/${general}/permissions/${everyoneRole}`, { token: owner.token, body: { type: 'role', deny: ['EMBED_LINKS'] } });
    const denied = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: bob!.token, body: { content: 'x', embeds: [card] } });
    expect([denied.status, denied.body.error.details]).toEqual([403, { missing: ['EMBED_LINKS'] }]);
    const plain = await send(bob!, general, { content: 'no preview for https://news.example/b' });
    expect(plain.body.embeds).toEqual([]);
  });

  it('typing: 204 and a TypingStarted on the ephemeral channel for members who may send, never stored', async () => {
    const { owner, members: [bob], general, revolt } = await community('typing', 1);
    const outsider = await t.api.register('typingout');
    const prefix = t.server.services.config.REDIS_PREFIX;
    const subscriber = new Redis(REDIS_URL);
    try {
      const received: unknown[] = [];
      subscriber.on('message', (_channel, text: string) => received.push(JSON.parse(text)));
      await subscriber.subscribe(`${prefix}:ephemeral`);
      const head = await t.server.services.store.headPosition();
      const typed = await t.api.request('POST', `/v1/channels/${general}/typing`, { token: bob!.token });
      expect(typed.status).toBe(204);
      expect(Number(typed.headers['x-ratelimit-limit'])).toBe(5 * t.server.services.config.RATE_LIMIT_SCALE);
      expect((await t.api.request('POST', `/v1/channels/${general}/typing`, { token: outsider.token })).status).toBe(404);
      await t.api.request('PUT', `/v1/channels/${general}/permissions/${bob!.id}`, { token: owner.token, body: { type: 'member', deny: ['SEND_MESSAGES'] } });
      expect((await t.api.request('POST', `/v1/channels/${general}/typing`, { token: bob!.token })).status).toBe(403);
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received).toEqual([{ type: 'TypingStarted', channelId: general, revoltId: revolt.id, userId: bob!.id, at: expect.any(String) }]);
      const appended = await t.server.services.store.readAll({ after: head });
      expect(appended.filter((e) => e.type.startsWith('Typing'))).toEqual([]);
    } finally {
      subscriber.disconnect();
    }
  });
});

describe('recent messages and search across a revolt', () => {
  it('newest first over the channels the caller may read; never a hit from a private channel or another revolt; deleted hidden', async () => {
    const { owner, members: [insider, member], revolt, general, everyoneRole } = await community('search', 2);
    const stranger = await community('searchother', 0);
    const role = (await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'insiders' } })).body;
    await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${insider!.id}/roles/${role.id}`, { token: owner.token });
    const secret = (await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'secret' } })).body.id as string;
    await t.api.request('PUT', `/v1/channels/${secret}/permissions/${everyoneRole}`, { token: owner.token, body: { type: 'role', deny: ['VIEW_CHANNEL'] } });
    await t.api.request('PUT', `/v1/channels/${secret}/permissions/${role.id}`, { token: owner.token, body: { type: 'role', allow: ['VIEW_CHANNEL'] } });

    const a = await send(member!, general, { content: 'The Plan (v1.0) is public' });
    const b = await send(insider!, secret, { content: 'the plan (v1.0) is SECRET' });
    const c = await send(owner, general, { content: 'another plan (v1.0)' });
    const d = await send(owner, general, { content: 'nothing to see' });
    const e = await send(member!, general, { content: 'plan (v1.0) withdrawn' });
    const deleted = await t.api.request('DELETE', path(general, e.body.id), { token: member!.token });
    await send(stranger.owner, stranger.general, { content: 'their plan (v1.0)' });
    const wait = after(a, b, c, d, deleted);
    const ids = (res: ApiResponse) => res.body.items.map((m: Message) => m.id);
    const search = (user: User, query: Record<string, string>, revoltId = revolt.id) =>
      t.api.request('GET', `/v1/revolts/${revoltId}/messages/search?${new URLSearchParams(query)}`, { token: user.token, headers: wait });

    expect(ids(await search(member!, { q: 'PLAN (v1.0)' }))).toEqual([c.body.id, a.body.id]);
    expect(ids(await search(insider!, { q: 'plan (v1.0)' }))).toEqual([c.body.id, b.body.id, a.body.id]);
    expect(ids(await search(insider!, { q: 'plan (v1.0)', limit: '1', before: b.body.id }))).toEqual([a.body.id]);
    expect(ids(await search(member!, { q: '.*' }))).toEqual([]);
    expect((await search(member!, { q: 'plan', before: b.body.id })).status).toBe(400);
    expect((await search(member!, { q: 'x'.repeat(101) })).status).toBe(400);
    expect((await search(member!, { q: '' })).status).toBe(400);
    expect((await search(stranger.owner, { q: 'plan' })).status).toBe(404);
    expect(ids(await search(stranger.owner, { q: 'plan' }, stranger.revolt.id))).toHaveLength(1);

    const recent = (user: User, query = '', revoltId = revolt.id) =>
      t.api.request('GET', `/v1/revolts/${revoltId}/messages/recent?${query}`, { token: user.token, headers: wait });
    expect(ids(await recent(member!))).toEqual([d.body.id, c.body.id, a.body.id]);
    expect(ids(await recent(insider!, 'limit=2'))).toEqual([d.body.id, c.body.id]);
    expect(ids(await recent(insider!, `limit=2&before=${c.body.id}`))).toEqual([b.body.id, a.body.id]);
    expect(ids(await recent(member!, `since=${new Date(Date.now() + 60_000).toISOString()}`))).toEqual([]);
    const old = await recent(member!, `since=${new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString()}`);
    expect(old.status).toBe(400);
    expect((await recent(member!, `since=${new Date(Date.now() - 29 * 24 * 3600 * 1000).toISOString()}`)).status).toBe(200);
    expect((await recent(stranger.owner)).status).toBe(404);
  });
});

describe('the messages read model', () => {
  it('rebuilt from position 0, reproduces the same documents (edits, deletes, reactions, pins included)', async () => {
    const { engine, services } = t.server;
    const head = await services.store.headPosition();
    expect(await engine.waitForPosition('messages', head, 10_000)).toBe(true);
    const snapshot = () => services.db.collection('messages').find().sort({ _id: 1 }).toArray();
    const before = await snapshot();
    expect([
      before.some((m) => m.reactions.length > 0),
      before.some((m) => m.pinned),
      before.some((m) => m.editedAt),
      before.some((m) => m.isDeleted),
      before.some((m) => m.embeds.length > 0),
    ]).toEqual([true, true, true, true, true]);
    await engine.rebuild('messages');
    expect(await snapshot()).toEqual(before);
  });
});

describe('the API document', () => {
  it('documents every message route, from the zod schemas that validate it', async () => {
    const doc = await t.api.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/channels/{channelId}/messages',
        'PATCH /v1/channels/{channelId}/messages/{messageId}',
        'DELETE /v1/channels/{channelId}/messages/{messageId}',
        'PUT /v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}/@me',
        'DELETE /v1/channels/{channelId}/messages/{messageId}/reactions/{emoji}/@me',
        'PUT /v1/channels/{channelId}/pins/{messageId}',
        'DELETE /v1/channels/{channelId}/pins/{messageId}',
        'GET /v1/channels/{channelId}/pins',
        'POST /v1/channels/{channelId}/typing',
        'GET /v1/revolts/{revoltId}/messages/recent',
        'GET /v1/revolts/{revoltId}/messages/search',
      ]),
    );
    const send = paths['/v1/channels/{channelId}/messages']!.post as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } };
    expect(Object.keys(send.requestBody.content['application/json']!.schema.properties)).toEqual(['content', 'replyTo', 'embeds', 'attachments']);
  });
});
