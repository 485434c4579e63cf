import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { achievementsDecider } from '../../src/commands/achievements/decide.ts';
import { achievementStream } from '../../src/commands/achievements/events.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { startTestServer } from '../support/api.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('notetriggers');
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const catalogue = buildEventCatalogue();
const now = () => new Date().toISOString();
const hex = () => randomUUID().replaceAll('-', '').slice(0, 24);

/** Appends an event as its module's command would have (the trigger's own module is tested elsewhere). */
async function record(streamId: string, type: string, data: Record<string, unknown>, occurredAt = now()): Promise<void> {
  catalogue.assertValid(type, data);
  const metadata = { correlationId: randomUUID(), causationId: randomUUID(), actorId: null, occurredAt, schemaVersion: 1 };
  await t.server.services.store.appendToStream(streamId, [{ id: randomUUID(), type, data, metadata }], 'any');
}

async function settled(): Promise<void> {
  for (let head = -1; ; ) {
    const current = await t.server.services.store.headPosition();
    if (current === head) return;
    head = current;
    expect(await t.server.reactors.waitForPosition('notifications', head, 20_000)).toBe(true);
    for (const lane of ['notifications', 'inbox']) {
      expect(await t.server.engine.waitForPosition(lane, await t.server.services.store.headPosition(), 20_000)).toBe(true);
    }
  }
}

async function inbox(user: User) {
  await settled();
  const res = await t.api.request('GET', '/v1/notifications', { token: user.token });
  expect(res.status).toBe(200);
  return res.body.items as Array<Record<string, unknown>>;
}

async function allEvents(): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let page = await t.server.services.store.readAll({ after: 0, maxCount: 1000 }); page.length > 0; page = await t.server.services.store.readAll({ after: page.at(-1)!.position, maxCount: 1000 })) {
    events.push(...page);
  }
  return events;
}

async function revoltOf(owner: User, name: string) {
  const res = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name } });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; inviteCode: string; channels: string[] };
}

describe('notifications of donations', () => {
  it('the owner is told; an anonymous donor is named nowhere (not in the event, the document or the text), another is', async () => {
    const [owner, donor] = await Promise.all([t.api.register('dnowner'), t.api.register('dndonor')]);
    const revolt = await revoltOf(owner, 'Funded');
    for (const isAnonymous of [true, false]) {
      const donationId = hex();
      const money = { revoltId: revolt.id, donorId: donor.id, ownerId: owner.id, currency: 'eur' };
      await record(`donation-${donationId}`, 'DonationPledged', {
        donationId, ...money, revoltName: revolt.name, donorEmail: donor.email, donorName: 'dndonor', amount: 2500, isAnonymous, stripePaymentIntentId: `pi_${donationId}`, pledgedAt: now(),
      });
      await record(`donation-${donationId}`, 'DonationCompleted', {
        donationId, ...money, amount: 2500, stripePaymentIntentId: `pi_${donationId}`, stripeEventId: `evt_${donationId}`, stripeEventType: 'payment_intent.succeeded', completedAt: now(),
      });
      await settled();
    }
    const [named, anonymous] = await inbox(owner);
    expect(anonymous).toMatchObject({ type: 'donation_received', revoltId: revolt.id, message: 'An anonymous donor donated 25.00 EUR to Funded' });
    expect(anonymous).not.toHaveProperty('actorId');
    expect(named).toMatchObject({ type: 'donation_received', actorId: donor.id, message: 'dndonor donated 25.00 EUR to Funded' });
    const issued = (await allEvents()).filter((e) => e.type === 'NotificationsIssued' && (e.data as { type: string }).type === 'donation_received');
    expect(issued).toHaveLength(2);
    expect(JSON.stringify(issued[0]!.data)).not.toContain(donor.id);
    expect(JSON.stringify(issued[0]!.data)).not.toContain('dndonor');
    expect(JSON.stringify(issued[0]!.data)).not.toContain(donor.email);
    expect(await inbox(donor)).toEqual([]);
  });
});

describe('notifications of progression and invites', () => {
  it('a completed letter and an unlocked achievement are told to their user', async () => {
    const ada = await t.api.register('prada');
    await record(`progress-${ada.id}`, 'LetterCompleted', { userId: ada.id, letterId: 1, at: now() });
    await t.server.services.commands.execute(achievementStream(ada.id), achievementsDecider, { type: 'UnlockAchievement', userId: ada.id, achievementId: 'first_words', unlockedAt: now() }, { actorId: null, correlationId: 'a', causationId: 'a' });
    // News older than a day when the reactor first sees it (its first start on a long history) is not told.
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await record(`progress-${ada.id}`, 'LetterCompleted', { userId: ada.id, letterId: 2, at: twoDaysAgo }, twoDaysAgo);
    const notes = await inbox(ada);
    expect(notes.map((n) => [n.type, n.title])).toEqual([
      ['achievement_unlocked', 'Achievement unlocked: First Words'],
      ['letter_completed', 'Letter 1 completed'],
    ]);
  });

  it('a personal invite to the revolt or to a voice channel is told to the invitee, unless they may not take it up', async () => {
    const [owner, guest, member] = await Promise.all([t.api.register('pinowner'), t.api.register('pinguest'), t.api.register('pinmember')]);
    const revolt = await revoltOf(owner, 'Inviting');
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: member.token })).status).toBe(200);
    const voice = await t.api.request('POST', `/v1/revolts/${revolt.id}/channels`, { token: owner.token, body: { name: 'talk', type: 'voice' } });
    expect(voice.status).toBe(201);
    const invite = (inviteeId: string, kind: 'revolt' | 'voice') =>
      record(`personal-invites-${inviteeId}`, 'PersonalInviteSent', {
        inviteId: hex(), kind, revoltId: revolt.id, channelId: kind === 'voice' ? voice.body.id : null, inviterId: owner.id, inviteeId, sentAt: now(), expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    await invite(guest.id, 'revolt');
    await invite(member.id, 'voice');
    await invite(member.id, 'revolt'); // a member already: nothing
    await invite(guest.id, 'voice'); // not a member: cannot connect there
    expect((await inbox(guest)).map((n) => [n.type, n.title, n.actorId])).toEqual([['revolt_invite', 'pinowner invited you to Inviting', owner.id]]);
    expect((await inbox(member)).map((n) => [n.type, n.channelId])).toEqual([['voice_invite', voice.body.id]]);
  });
});

describe('rebuilding notifications', () => {
  it('a rebuild from position 0 writes the same documents, counters and settings', async () => {
    const [owner, ada] = await Promise.all([t.api.register('rbowner'), t.api.register('rbada')]);
    const revolt = await revoltOf(owner, 'Rebuilt');
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: ada.token })).status).toBe(200);
    for (let i = 0; i < 3; i++) await t.api.request('POST', `/v1/channels/${revolt.channels[0]}/messages`, { token: owner.token, body: { content: `@everyone <@${ada.id}> ${i}` } });
    const [first] = await inbox(ada);
    expect((await t.api.request('POST', `/v1/notifications/${first!.id}/read`, { token: ada.token })).status).toBe(200);
    expect((await t.api.request('PATCH', '/v1/users/@me/notification-settings', { token: owner.token, body: { revolts: [{ revoltId: revolt.id, mentionsOnly: true }] } })).status).toBe(200);
    expect((await t.api.request('POST', '/v1/notifications/read-all', { token: owner.token })).status).toBe(204);
    await settled();

    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          ['notifications', 'notificationCounters', 'notificationSettings'].map(async (name) => [name, await t.server.services.db.collection(name).find().sort({ _id: 1 }).toArray()] as const),
        ),
      );
    const before = await snapshot();
    expect(before.notifications!.length).toBeGreaterThan(3);
    expect(before.notifications!.some((n) => n.isRead) && before.notifications!.some((n) => !n.isRead)).toBe(true);
    await t.server.engine.rebuild('notifications');
    expect(await snapshot()).toEqual(before);

    // The inbox read model, emptied and rebuilt from position 0 by its lane, holds the same rows and counts.
    const inboxRows = await t.server.services.inbox.rows();
    expect(inboxRows.notifications).toHaveLength(before.notifications!.length);
    expect(inboxRows.unread.map((row) => [row.user_id, row.unread])).toEqual(before.notificationCounters!.map((doc) => [doc._id, doc.unread]));
    await t.server.services.inbox.truncate();
    await t.server.engine.rebuild('inbox');
    expect(await t.server.services.inbox.rows()).toEqual(inboxRows);

    // The reactor replayed from 0 (its memory rebuilt) finds every batch it issued and issues nothing again.
    const head = await t.server.services.store.headPosition();
    await t.server.reactors.rebuild('notifications');
    expect(await t.server.services.store.headPosition()).toBe(head);
  });
});
