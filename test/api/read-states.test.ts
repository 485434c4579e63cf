import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('read_states');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const head = () => t.server.services.store.headPosition();
const ackEvents = async (after: number) => (await t.server.services.store.readAll({ after })).filter((e) => e.type === 'ChannelAcked');

async function community(name: string, members: User[]) {
  const owner = await t.api.register(`${name}owner`);
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  const join = async (member: User) => expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: member.token })).status).toBe(200);
  for (const m of members) await join(m);
  return { owner, join, revoltId: created.body.id as string, general: created.body.channels[0] as string };
}

async function send(who: User, channelId: string, content: string): Promise<{ id: string; position: number }> {
  const res = await t.api.request('POST', `/v1/channels/${channelId}/messages`, { token: who.token, body: { content } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, position: Number(res.headers['x-event-position']) };
}
const ack = (who: User, channelId: string, messageId: string) => t.api.request('POST', `/v1/channels/${channelId}/ack/${messageId}`, { token: who.token });

async function readStates(who: User) {
  const res: ApiResponse = await t.api.request('GET', '/v1/users/@me/read-states', { token: who.token, headers: { 'x-min-position': String(await head()) } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { channels: Array<Record<string, unknown>>; revolts: Array<Record<string, unknown>> };
}

/** The MessageSent events of a channel in log order: what the unread count counts. */
async function logOrder(channelId: string): Promise<string[]> {
  const all = await t.server.services.store.readAll({});
  return all.filter((e) => e.type === 'MessageSent' && (e.data as { channelId: string }).channelId === channelId).map((e) => (e.data as { messageId: string }).messageId);
}

describe('read states', () => {
  it('unread and mention counts per channel and revolt; an ack reads up to its message and clears the mentions it covers', async () => {
    const ada = await t.api.register('rsada');
    const { owner, join, revoltId, general } = await community('Reading', [ada]);
    const first = await send(owner, general, 'one');
    await send(owner, general, `two <@${ada.id}>`);
    await send(owner, general, 'three @everyone');
    const fourth = await send(owner, general, `four <@${ada.id}>`);

    expect(await readStates(ada)).toEqual({
      channels: [{ channelId: general, revoltId, lastReadMessageId: null, lastMessageId: fourth.id, unreadCount: 4, mentionCount: 3 }],
      revolts: [{ revoltId, unreadCount: 4, mentionCount: 3 }],
    });
    // The author has read their own messages.
    expect((await readStates(owner)).channels).toEqual([{ channelId: general, revoltId, lastReadMessageId: fourth.id, lastMessageId: fourth.id, unreadCount: 0, mentionCount: 0 }]);

    const [, second] = await logOrder(general);
    const acked = await ack(ada, general, second!);
    expect(acked.status).toBe(204);
    expect(Number(acked.headers['x-event-position'])).toBeGreaterThan(first.position);
    expect((await readStates(ada)).channels[0]).toMatchObject({ lastReadMessageId: second, unreadCount: 2, mentionCount: 2 });

    // An earlier message acked later records nothing.
    const before = await head();
    const back = await ack(ada, general, first.id);
    expect(back.status).toBe(204);
    expect(back.headers['x-event-position']).toBeUndefined();
    expect(await ackEvents(before)).toEqual([]);
    expect((await readStates(ada)).channels[0]).toMatchObject({ lastReadMessageId: second, unreadCount: 2 });

    // Someone joining later starts with the channel read; what comes after is unread.
    const late = await t.api.register('rslate');
    await join(late);
    expect((await readStates(late)).channels).toEqual([{ channelId: general, revoltId, lastReadMessageId: fourth.id, lastMessageId: fourth.id, unreadCount: 0, mentionCount: 0 }]);
    const fifth = await send(owner, general, 'five @everyone');
    expect((await readStates(late)).revolts).toEqual([{ revoltId, unreadCount: 1, mentionCount: 1 }]);
    expect((await readStates(ada)).channels[0]).toMatchObject({ lastMessageId: fifth.id, unreadCount: 3, mentionCount: 3 });

    // A deleted message is no longer unread (its mention still counts until the next ack).
    expect((await t.api.request('DELETE', `/v1/channels/${general}/messages/${fifth.id}`, { token: owner.token })).status).toBe(204);
    expect((await readStates(late)).revolts).toEqual([{ revoltId, unreadCount: 0, mentionCount: 1 }]);
    expect((await readStates(ada)).channels[0]).toMatchObject({ unreadCount: 2, mentionCount: 3 });
  });

  it('the routes are in /openapi.json', async () => {
    const { paths } = (await t.api.request('GET', '/openapi.json')).body;
    expect(Object.keys(paths['/v1/channels/{channelId}/ack/{messageId}'])).toEqual(['post']);
    expect(paths['/v1/users/@me/read-states'].get.responses['200']).toBeDefined();
  });

  it('refuses without a token (401), channels the user cannot read and messages of other channels (404), appending nothing', async () => {
    const [ada, eve] = await Promise.all([t.api.register('rsada2'), t.api.register('rseve')]);
    const { owner, revoltId, general } = await community('Refusing', [ada]);
    const secret = await t.api.request('POST', `/v1/revolts/${revoltId}/channels`, { token: owner.token, body: { name: 'secret', settings: { isPrivate: true } } });
    expect(secret.status).toBe(201);
    const hidden = await send(owner, secret.body.id, 'hidden');
    const open = await send(owner, general, 'open');
    const before = await head();
    const refusals = [
      [await t.api.request('POST', `/v1/channels/${general}/ack/${open.id}`), 401],
      [await ack(ada, secret.body.id, hidden.id), 404],
      [await ack(eve, general, open.id), 404],
      [await ack(ada, general, hidden.id), 404],
      [await ack(ada, 'f'.repeat(24), open.id), 404],
      [await ack(ada, general, 'f'.repeat(24)), 404],
      [await t.api.request('POST', `/v1/channels/${general}/ack/nothex`, { token: ada.token }), 400],
    ] as const;
    expect(refusals.map(([res]) => res.status)).toEqual(refusals.map(([, status]) => status));
    expect(await ackEvents(before)).toEqual([]);
    // The private channel is not in ada's read states; eve, outside, has none.
    expect((await readStates(ada)).channels.map((c) => c.channelId)).toEqual([general]);
    expect(await readStates(eve)).toEqual({ channels: [], revolts: [] });
  });

  it('two concurrent acks keep the later message, whichever lands last', async () => {
    const ada = await t.api.register('rsada3');
    const { owner, general } = await community('Racing', [ada]);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await send(owner, general, `m${i}`));
    const order = await logOrder(general);
    const latest = [...order].sort().at(-1)!;
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(order.map((id) => ack(ada, general, id)));
      expect(results.map((r) => r.status), JSON.stringify(results.map((r) => r.body))).toEqual(order.map(() => 204));
    }
    const acks = (await t.server.services.store.readStream(`read-states-${ada.id}`)).map((e) => (e.data as { messageId: string }).messageId);
    // Each recorded ack is later than the one before; the last is the latest message.
    expect(acks).toEqual([...acks].sort());
    expect(new Set(acks).size).toBe(acks.length);
    expect(acks.at(-1)).toBe(latest);
    expect((await readStates(ada)).channels[0]).toMatchObject({ lastReadMessageId: latest, unreadCount: order.length - 1 - order.indexOf(latest) });
  });

  it('sends and acks interleaved give exact counts, and a rebuild from position 0 gives the same documents', async () => {
    const ada = await t.api.register('rsada4');
    const { owner, general } = await community('Busy', [ada]);
    const seen: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < 30; i++) seen.push((await send(owner, general, i % 5 === 0 ? `hey <@${ada.id}> ${i}` : `m${i}`)).id);
    })();
    const acking = (async () => {
      for (let i = 0; i < 15; i++) {
        const newest = seen.at(-1);
        if (newest) expect((await ack(ada, general, newest)).status).toBe(204);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all([sending, acking]);

    const order = await logOrder(general);
    const acks = (await t.server.services.store.readStream(`read-states-${ada.id}`)).map((e) => (e.data as { messageId: string }).messageId);
    const lastRead = acks.at(-1)!;
    const after = order.slice(order.indexOf(lastRead) + 1);
    const mentionsAfter = after.filter((id) => seen.indexOf(id) % 5 === 0).length;
    expect((await readStates(ada)).channels[0]).toMatchObject({ lastReadMessageId: lastRead, unreadCount: after.length, mentionCount: mentionsAfter });

    const collections = ['readStates', 'revoltHeads', 'messageSeqs'];
    const snapshot = () => Promise.all(collections.map((name) => t.server.services.db.collection(name).find().sort({ _id: 1 }).toArray()));
    expect(await t.server.engine.waitForPosition('readStates', await head(), 15_000)).toBe(true);
    const live = await snapshot();
    await t.server.engine.rebuild('readStates');
    expect(await snapshot()).toEqual(live);
  });
});
