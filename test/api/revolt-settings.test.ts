import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_WINDOW_MS, ACTIVITY_CLOCK_STREAM, activityClockDecider } from '../../src/commands/activity/decide.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { SYSTEM_MESSAGES_REACTOR } from '../../src/reactors/system-messages.ts';
import { paymentIntentEvent, signed, STRIPE_TEST_ENV } from '../payments/stripe-webhooks.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('revolt_settings', STRIPE_TEST_ENV);
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const pos = (res: { headers: Record<string, unknown> }) => ({ 'x-min-position': String(res.headers['x-event-position']) });
const head = () => t.server.services.store.headPosition();

/** An owner's revolt, with the settings given (after creation, as PATCH sets them), joined by `members`. */
async function revoltWith(owner: User, members: User[], settings: (general: string) => Record<string, unknown> = () => ({})) {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Settings' } });
  expect(created.status).toBe(201);
  const general = created.body.channels[0] as string;
  const patched = await t.api.request('PATCH', `/v1/revolts/${created.body.id}`, { token: owner.token, body: { settings: settings(general) } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const joins = [];
  for (const m of members) {
    const joined = await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token });
    expect(joined.status).toBe(200);
    joins.push(joined);
  }
  return { id: created.body.id as string, general, inviteCode: created.body.inviteCode as string, joins };
}

/** The system messages of a channel in the store, once the reactor has answered every event so far. */
async function systemMessages(channelId: string): Promise<RecordedEvent[]> {
  expect(await t.server.reactors.waitForPosition(SYSTEM_MESSAGES_REACTOR, await head(), 15_000)).toBe(true);
  const all = await t.server.services.store.readAll({ after: 0, maxCount: 100_000 });
  return all.filter((e) => e.type === 'MessageSent' && (e.data as { type: string; channelId: string }).type === 'system' && (e.data as { channelId: string }).channelId === channelId);
}
const contents = (events: RecordedEvent[]) => events.map((e) => (e.data as { content: string }).content);

async function donate(donor: User, revoltId: string, isAnonymous: boolean) {
  const pledged = await t.api.request('POST', `/v1/revolts/${revoltId}/donations`, { token: donor.token, body: { amount: 1250, currency: 'usd', isAnonymous } });
  expect(pledged.status, JSON.stringify(pledged.body)).toBe(201);
  const { payload, headers } = signed(paymentIntentEvent('payment_intent.succeeded', pledged.body.donation));
  expect((await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers })).status).toBe(200);
}

describe('systemChannelId: system messages', () => {
  it('a join, a leave and donations post system messages there, authored by the revolt; an anonymous donor is never named', async () => {
    const [owner, sysbob, sysdonor] = await Promise.all([t.api.register('sysowner'), t.api.register('sysbob'), t.api.register('sysdonor')]);
    const revolt = await revoltWith(owner, [sysbob, sysdonor], (general) => ({ systemChannelId: general }));
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/@me`, { token: sysbob.token })).status).toBe(204);
    await donate(sysdonor, revolt.id, true);
    await donate(sysdonor, revolt.id, false);

    const posted = await systemMessages(revolt.general);
    expect(contents(posted)).toEqual([
      'sysbob joined the revolt.',
      'sysdonor joined the revolt.',
      'sysbob left the revolt.',
      'An anonymous supporter donated 12.50 USD.',
      'sysdonor donated 12.50 USD.',
    ]);
    for (const event of posted) {
      expect(event.data).toMatchObject({ revoltId: revolt.id, authorId: revolt.id, mentions: [], mentionEveryone: false });
      expect(event.metadata.actorId).toBe(`reactor:${SYSTEM_MESSAGES_REACTOR}`);
    }
    // The anonymous donation's message holds nothing of the donor: not their id, not their name.
    expect(JSON.stringify(posted[3])).not.toContain(sysdonor.id);
    expect(JSON.stringify(posted[3])).not.toContain('sysdonor');
    // The messages read model shows them as system messages.
    expect(await t.server.engine.waitForPosition('messages', await head(), 15_000)).toBe(true);
    const docs = await t.server.services.db.collection('messages').find({ id: { $in: posted.map((e) => (e.data as { messageId: string }).messageId) } }).toArray();
    expect(docs.map((d) => d.type)).toEqual(['system', 'system', 'system', 'system', 'system']);
  });

  it('a kick and a ban of a member say so there, without the reason; a ban of a non-member says nothing', async () => {
    const [owner, kicked, banned, stranger] = await Promise.all(['sysmod', 'syskicked', 'sysbanned', 'sysstranger'].map((name) => t.api.register(name)));
    const revolt = await revoltWith(owner, [kicked, banned], (general) => ({ systemChannelId: general }));
    expect((await t.api.request('DELETE', `/v1/revolts/${revolt.id}/members/${kicked.id}?reason=spam`, { token: owner.token })).status).toBe(204);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${banned.id}`, { token: owner.token, body: { reason: 'abuse' } })).status).toBe(204);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${stranger.id}`, { token: owner.token, body: {} })).status).toBe(204);
    expect(contents(await systemMessages(revolt.general))).toEqual([
      'syskicked joined the revolt.',
      'sysbanned joined the revolt.',
      'syskicked was kicked from the revolt.',
      'sysbanned was banned from the revolt.',
    ]);
  });

  it('a revolt without a system channel gets none, and a join is answered once however often the reactor sees it', async () => {
    const [owner, quiet] = await Promise.all([t.api.register('quietowner'), t.api.register('quietbob')]);
    const revolt = await revoltWith(owner, [quiet]);
    expect(await systemMessages(revolt.general)).toEqual([]);

    const [loud, again] = await Promise.all([t.api.register('loudowner'), t.api.register('loudbob')]);
    const noisy = await revoltWith(loud, [again], (general) => ({ systemChannelId: general }));
    expect(contents(await systemMessages(noisy.general))).toEqual(['loudbob joined the revolt.']);
    // Replayed from the start: the messages' ids derive from the events, so nothing is posted twice.
    await t.server.reactors.checkpoints.set(SYSTEM_MESSAGES_REACTOR, 0, 'running');
    await t.server.reactors.lane(SYSTEM_MESSAGES_REACTOR).enqueueCatchUp();
    expect(contents(await systemMessages(noisy.general))).toEqual(['loudbob joined the revolt.']);
  });

  it('the setting must name a text channel of the revolt', async () => {
    const owner = await t.api.register('sysbad');
    const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Bad' } });
    const voice = await t.api.request('POST', `/v1/revolts/${created.body.id}/channels`, { token: owner.token, body: { name: 'talk', type: 'voice' } });
    const before = await head();
    const refused = await t.api.request('PATCH', `/v1/revolts/${created.body.id}`, { token: owner.token, body: { settings: { systemChannelId: voice.body.id } } });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'not_a_text_channel']);
    expect(await head()).toBe(before);
  });
});

describe('rulesChannelId: shown to a joiner', () => {
  it('the join answers the revolt with its rules channel; without one, the revolt as GET shows it', async () => {
    const [owner, reader, plain] = await Promise.all([t.api.register('rulesowner'), t.api.register('rulesreader'), t.api.register('rulesplain')]);
    const ruled = await revoltWith(owner, [reader], (general) => ({ rulesChannelId: general }));
    expect(ruled.joins[0]!.body.rulesChannel).toEqual({ id: ruled.general, name: 'general' });
    const { rulesChannel, ...revolt } = ruled.joins[0]!.body;
    expect(revolt).toEqual((await t.api.request('GET', `/v1/revolts/${ruled.id}`, { token: reader.token, headers: pos(ruled.joins[0]!) })).body);

    const unruled = await revoltWith(owner, [plain]);
    expect(unruled.joins[0]!.body).not.toHaveProperty('rulesChannel');
  });
});

describe('contentFilter: keywords refused in decide', () => {
  it('level 2 refuses a send and an edit naming the keyword, appending nothing; level 1 spares members with a role', async () => {
    const [owner, member] = await Promise.all([t.api.register('filterowner'), t.api.register('filtermember')]);
    const revolt = await revoltWith(owner, [member], () => ({ contentFilter: 2, contentFilterKeywords: ['spoiler', 'dark magic'] }));
    const url = `/v1/channels/${revolt.general}/messages`;
    const before = await head();
    const refused = await t.api.request('POST', url, { token: owner.token, body: { content: 'no ＳＰＯＩＬＥＲ here' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'content_filtered', details: { rule: 'revolt_keywords', keyword: 'spoiler', level: 2 } });
    expect(await head()).toBe(before);

    const sent = await t.api.request('POST', url, { token: member.token, body: { content: 'spoilers are a longer word' } });
    expect(sent.status).toBe(201);
    const beforeEdit = await head();
    const edited = await t.api.request('PATCH', `${url}/${sent.body.id}`, { token: member.token, body: { content: 'pure Dark Magic' } });
    expect([edited.status, edited.body.error?.details?.keyword]).toEqual([422, 'dark magic']);
    expect(await head()).toBe(beforeEdit);

    const lowered = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { settings: { contentFilter: 1 } } });
    expect(lowered.status).toBe(200);
    expect((await t.api.request('POST', url, { token: owner.token, body: { content: 'spoiler' } })).status).toBe(201);
    expect((await t.api.request('POST', url, { token: member.token, body: { content: 'spoiler' } })).status).toBe(422);
  });

  it('only those who manage the revolt set the keywords, and the list is bounded', async () => {
    const [owner, member] = await Promise.all([t.api.register('kwowner'), t.api.register('kwmember')]);
    const revolt = await revoltWith(owner, [member]);
    const denied = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: member.token, body: { settings: { contentFilterKeywords: ['x'] } } });
    expect(denied.status).toBe(403);
    const tooMany = Array.from({ length: 101 }, (_, i) => `word${i}`);
    expect((await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { settings: { contentFilterKeywords: tooMany } } })).status).toBe(400);
    expect((await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { settings: { contentFilterKeywords: ['x'.repeat(61)] } } })).status).toBe(400);
  });
});

describe('the revolt slow mode is the default of channels created afterwards', () => {
  it('a text channel created without one takes it; one that sets its own keeps it', async () => {
    const owner = await t.api.register('slowowner');
    const revolt = await revoltWith(owner, [], () => ({ slowMode: 15 }));
    const create = (body: Record<string, unknown>) => t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body });
    expect((await create({ name: 'slow' })).body.settings.slowMode).toBe(15);
    expect((await create({ name: 'fast', settings: { slowMode: 0 } })).body.settings.slowMode).toBe(0);
  });
});

describe('stats.activeMembers', () => {
  it('counts members active in the last 30 days as the clock moves, and a rebuild from position 0 gives the same documents', async () => {
    const [owner, a, b] = await Promise.all([t.api.register('actowner'), t.api.register('acta'), t.api.register('actb')]);
    const revolt = await revoltWith(owner, [a, b]);
    const url = `/v1/channels/${revolt.general}/messages`;
    for (const who of [a, b, a]) expect((await t.api.request('POST', url, { token: who.token, body: { content: 'hi' } })).status).toBe(201);
    const stats = async () => {
      const at = await head();
      return (await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: { 'x-min-position': String(at) } })).body.stats;
    };
    expect((await stats()).activeMembers).toBe(2);

    // The clock moves to 30 days after a moment between the first messages and the next one: only the next one counts.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    await pause();
    const between = Date.now();
    await pause();
    const asOf = new Date(between + ACTIVE_WINDOW_MS).toISOString();
    const context = { actorId: 'system:test', correlationId: randomUUID(), causationId: randomUUID() };
    await t.server.services.commands.execute(ACTIVITY_CLOCK_STREAM, activityClockDecider, { type: 'AdvanceActivityWindow', asOf }, context);
    expect((await stats()).activeMembers).toBe(0);
    expect((await t.api.request('POST', url, { token: b.token, body: { content: 'back' } })).status).toBe(201);
    expect((await stats()).activeMembers).toBe(1);

    const live = await t.server.services.db.collection('revolts').find({}, { sort: { _id: 1 } }).toArray();
    await t.server.engine.rebuild('revolts');
    const rebuilt = await t.server.services.db.collection('revolts').find({}, { sort: { _id: 1 } }).toArray();
    expect(rebuilt).toEqual(live);
    expect((await stats()).activeMembers).toBe(1);
  });
});

describe('GET /v1/users/@me/voice-sessions', () => {
  it("lists the caller's own active sessions only", async () => {
    const [owner, talker, other] = await Promise.all([t.api.register('vsowner'), t.api.register('vstalker'), t.api.register('vsother')]);
    const revolt = await revoltWith(owner, [talker, other]);
    const voice = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'talk', type: 'voice' } });
    const joined = await t.api.request('PUT', `/v1/channels/${voice.body.id}/voice/members/@me`, { token: talker.token, body: {} });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);

    const mine = await t.api.request('GET', '/v1/users/@me/voice-sessions?active=true', { token: talker.token, headers: pos(joined) });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([joined.body.id]);
    const theirs = await t.api.request('GET', '/v1/users/@me/voice-sessions?active=true', { token: other.token, headers: pos(joined) });
    expect(theirs.body.items).toEqual([]);

    const left = await t.api.request('DELETE', `/v1/channels/${voice.body.id}/voice/members/@me`, { token: talker.token });
    expect(left.status).toBeLessThan(300);
    const ended = await t.api.request('GET', '/v1/users/@me/voice-sessions?active=true', { token: talker.token, headers: pos(left) });
    expect(ended.body.items).toEqual([]);
    const all = await t.api.request('GET', '/v1/users/@me/voice-sessions', { token: talker.token, headers: pos(left) });
    expect(all.body.items.map((s: { id: string }) => s.id)).toEqual([joined.body.id]);
    expect((await t.api.request('GET', '/v1/users/@me/voice-sessions?active=maybe', { token: talker.token })).status).toBe(400);
  });
});
