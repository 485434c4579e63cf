import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pledgeKey } from '../../src/commands/donations/execute.ts';
import { reservationStream } from '../../src/commands/reservations/reservation.ts';
import { liveContext } from '../../src/projections/engine/context.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { createStripeGateway } from '../../src/payments/stripe.ts';
import { changeRoster } from '../../src/commands/staff/roster.ts';
import { startTestServer } from '../support/api.ts';
import { chargeRefundedEvent, paymentIntentEvent, signed, STRIPE_TEST_ENV } from '../payments/stripe-webhooks.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('donations', STRIPE_TEST_ENV);
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof t.api.register>>;
const pos = (res: { headers: Record<string, unknown> }) => ({ 'x-min-position': String(res.headers['x-event-position']) });

async function revoltWith(owner: User, members: User[], settings: Record<string, unknown> = {}) {
  const created = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Fund', settings } });
  expect(created.status).toBe(201);
  for (const m of members) expect((await t.api.request('POST', `/v1/invites/${created.body.inviteCode}`, { token: m.token })).status).toBe(200);
  return created.body as { id: string; roles: { id: string }[] };
}

async function pledge(donor: User, revoltId: string, body: Record<string, unknown>) {
  const res = await t.api.request('POST', `/v1/revolts/${revoltId}/donations`, { token: donor.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

async function webhook(event: object) {
  const { payload, headers } = signed(event);
  const res = await t.api.request('POST', '/v1/payments/stripe/webhook', { body: payload, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

/** Pledges and completes through the webhook; returns the donation and the response of the webhook. */
async function donate(donor: User, revoltId: string, amount: number, extra: Record<string, unknown> = {}) {
  const { body } = await pledge(donor, revoltId, { amount, currency: 'usd', isAnonymous: false, ...extra });
  const done = await webhook(paymentIntentEvent('payment_intent.succeeded', body.donation));
  expect(done.body.outcome).toBe('applied');
  return { donation: body.donation, done };
}

describe('pledging', () => {
  it('creates a Stripe payment intent and records a pending donation; answers 201 with the client secret', async () => {
    const [owner, donor] = await Promise.all([t.api.register('powner'), t.api.register('pdonor')]);
    const revolt = await revoltWith(owner, []);
    const res = await pledge(donor, revolt.id, { amount: 1234, currency: 'EUR', message: '  for the cause  ', isAnonymous: true });
    expect(Number(res.headers['x-event-position'])).toBeGreaterThan(0);
    expect(res.body.clientSecret).toMatch(/_secret_/);
    expect(res.body.donation).toMatchObject({
      amount: 1234,
      currency: 'eur',
      message: 'for the cause',
      isAnonymous: true,
      status: 'pending',
      donor: { userId: donor.id, email: donor.email, name: 'pdonor', isAnonymous: true },
      revolt: { revoltId: revolt.id, name: 'Fund' },
    });
    expect(res.body.donation.stripePaymentIntentId).toMatch(/^pi_/);
    const [event] = await t.server.services.store.readStream(`donation-${res.body.donation.id}`);
    expect(event).toMatchObject({ type: 'DonationPledged', data: { ownerId: owner.id, donorId: donor.id, stripePaymentIntentId: res.body.donation.stripePaymentIntentId } });
    expect(JSON.stringify(event)).not.toContain(res.body.clientSecret);
    const mine = await t.api.request('GET', '/v1/users/@me/donations', { token: donor.token, headers: pos(res) });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: res.body.donation.id, status: 'pending' })]);
  });

  it('refuses bad input with 400, revolts one cannot see with 404, the banned with 403', async () => {
    const [owner, donor, outsider] = await Promise.all([t.api.register('vowner'), t.api.register('vdonor'), t.api.register('voutsider')]);
    const revolt = await revoltWith(owner, [donor]);
    const hidden = await revoltWith(owner, [], { isPublic: false });
    const ok = { amount: 500, currency: 'usd', isAnonymous: false };
    const post = (user: User, revoltId: string, body: object) => t.api.request('POST', `/v1/revolts/${revoltId}/donations`, { token: user.token, body });
    for (const bad of [{ ...ok, amount: 99 }, { ...ok, amount: 100_000_001 }, { ...ok, amount: 10.5 }, { ...ok, currency: 'jpy' }, { ...ok, message: 'x'.repeat(501) }, { ...ok, extra: 1 }]) {
      const res = await post(donor, revolt.id, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await post(outsider, hidden.id, ok)).status).toBe(404);
    expect((await post(outsider, '0'.repeat(24), ok)).status).toBe(404);
    expect((await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { body: ok })).status).toBe(401);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/bans/${donor.id}`, { token: owner.token, body: {} })).status).toBe(204);
    expect((await post(donor, revolt.id, ok)).status).toBe(403);
    expect((await post(outsider, revolt.id, ok)).status).toBe(201);
  });

  it('Stripe failing answers 502 and records nothing; a retry with the same Idempotency-Key keeps the donation id', async () => {
    const [owner, donor] = await Promise.all([t.api.register('sowner'), t.api.register('sdonor')]);
    const revolt = await revoltWith(owner, []);
    const body = { amount: 700, currency: 'gbp', isAnonymous: false };
    const headers = { 'idempotency-key': 'pledge-attempt-1' };
    const healthy = t.server.services.stripe;
    t.server.services.stripe = createStripeGateway({ ...t.server.services.config, STRIPE_API_URL: 'http://127.0.0.1:9' }, { maxNetworkRetries: 0 });
    let failed;
    try {
      failed = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body, headers });
    } finally {
      t.server.services.stripe = healthy;
    }
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('payment_provider_error');
    const [claim] = await t.server.services.store.readStream(reservationStream('donation_pledge', pledgeKey(donor.id, 'pledge-attempt-1')));
    const reservedId = (claim?.data as { ownerId: string }).ownerId;
    expect(await t.server.services.store.readStream(`donation-${reservedId}`)).toEqual([]);

    const retried = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body, headers });
    expect(retried.status).toBe(201);
    expect(retried.body.donation.id).toBe(reservedId);
    const replayed = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body, headers });
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.donation.id).toBe(reservedId);
    expect(replayed.body.clientSecret).toBe(retried.body.clientSecret);
    expect(await t.server.services.store.readStream(`donation-${reservedId}`)).toHaveLength(1);

    const reused = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body: { ...body, amount: 701 }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    // Keys are case-sensitive: the same key in capitals is another pledge.
    const capitals = await t.api.request('POST', `/v1/revolts/${revolt.id}/donations`, { token: donor.token, body, headers: { 'idempotency-key': 'PLEDGE-ATTEMPT-1' } });
    expect(capitals.status).toBe(201);
    expect(capitals.body.donation.id).not.toBe(reservedId);
    // The client secret is handed to the donor only: nothing in the event store holds it.
    const everything = JSON.stringify(await t.server.services.store.readAll({ after: 0, maxCount: 1_000_000 }));
    expect(typeof retried.body.clientSecret).toBe('string');
    expect(everything).not.toContain(retried.body.clientSecret);
  });
});

describe('lists, privacy and stats', () => {
  it('members see donors but never emails; anonymous donors only by themselves and auditors; stats are net of refunds', async () => {
    const [owner, alice, anon, auditor, outsider] = await Promise.all(
      ['lowner', 'lalice', 'lanon', 'lauditor', 'loutsider'].map((name) => t.api.register(name)),
    );
    const revolt = await revoltWith(owner, [alice, anon, auditor]);
    await changeRoster(t.server.services.commands, { type: 'Grant', userId: auditor.id, role: 'auditor', by: 'operator:test', at: new Date().toISOString() }, { actorId: 'operator:test', correlationId: 'c', causationId: 'c' });
    const a = await donate(alice, revolt.id, 1000, { message: 'hello' });
    const b = await donate(anon, revolt.id, 3000, { isAnonymous: true });
    const pending = await pledge(alice, revolt.id, { amount: 999, currency: 'usd', isAnonymous: false }); // stays pending

    const list = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations`, { token: owner.token, headers: pos(pending) });
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { amount: number }) => d.amount)).toEqual([999, 3000, 1000]);
    const [, anonymous, named] = list.body.items;
    expect(named).toMatchObject({ id: a.donation.id, message: 'hello', status: 'completed', donor: { userId: alice.id, name: 'lalice', isAnonymous: false } });
    expect(anonymous.donor).toEqual({ isAnonymous: true });
    const text = JSON.stringify(list.body);
    for (const secret of [alice.email, anon.email, anon.id, 'lanon', 'stripePaymentIntentId']) expect(text).not.toContain(secret);

    const byAuditor = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations`, { token: auditor.token });
    expect(byAuditor.body.items[1].donor).toEqual({ userId: anon.id, email: anon.email, name: 'lanon', isAnonymous: true });
    const own = await t.api.request('GET', '/v1/users/@me/donations', { token: anon.token });
    expect(own.body.items).toEqual([expect.objectContaining({ id: b.donation.id, donor: expect.objectContaining({ userId: anon.id, email: anon.email }) })]);
    expect((await t.api.request('GET', `/v1/revolts/${revolt.id}/donations`, { token: outsider.token })).status).toBe(404);

    const page1 = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations?limit=2`, { token: owner.token });
    const page2 = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations?limit=2&before=${page1.body.next}`, { token: owner.token });
    expect([...page1.body.items, ...page2.body.items].map((d: { amount: number }) => d.amount)).toEqual([999, 3000, 1000]);
    expect(page2.body.next).toBeNull();
    const completed = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations?status=completed`, { token: owner.token });
    expect(completed.body.items).toHaveLength(2);

    const stats = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations/stats`, { token: outsider.token });
    expect(stats.body).toEqual({ total: 4000, count: 2, average: 2000, byCurrency: { usd: { total: 4000, count: 2, average: 2000 } } });
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token });
    expect(doc.body.stats.totalDonations).toBe(4000);
    const renamed = await t.api.request('PATCH', `/v1/revolts/${revolt.id}`, { token: owner.token, body: { name: 'Renamed Fund' } });
    const after = await t.api.request('GET', '/v1/users/@me/donations', { token: alice.token, headers: pos(renamed) });
    expect(after.body.items.map((d: { revolt: { name: string } }) => d.revolt.name)).toEqual(['Renamed Fund', 'Renamed Fund']);
  });
});

describe('refunds', () => {
  it('the owner or MANAGE_DONATIONS refunds through Stripe; a plain member gets 403; totals follow', async () => {
    const [owner, treasurer, member, donor] = await Promise.all(['rowner', 'rtreasurer', 'rmember', 'rdonor'].map((n) => t.api.register(n)));
    const revolt = await revoltWith(owner, [treasurer, member, donor]);
    const role = await t.api.request('POST', `/v1/revolts/${revolt.id}/roles`, { token: owner.token, body: { name: 'treasury', permissions: ['MANAGE_DONATIONS'], position: 5 } });
    expect(role.status).toBe(201);
    expect((await t.api.request('PUT', `/v1/revolts/${revolt.id}/members/${treasurer.id}/roles/${role.body.id}`, { token: owner.token })).status).toBe(204);
    const first = await donate(donor, revolt.id, 2000);
    const second = await donate(donor, revolt.id, 500);
    const pending = (await pledge(donor, revolt.id, { amount: 800, currency: 'usd', isAnonymous: false })).body.donation;
    const refund = (user: User, donationId: string) => t.api.request('POST', `/v1/donations/${donationId}/refund`, { token: user.token });

    const denied = await refund(member, first.donation.id);
    expect(denied.status).toBe(403);
    expect(denied.body.error.details).toEqual({ missing: ['MANAGE_DONATIONS'] });
    expect((await refund(donor, first.donation.id)).status).toBe(403);
    expect((await refund(owner, pending.id)).status).toBe(422);
    expect((await refund(owner, '0'.repeat(24))).status).toBe(404);

    const byOwner = await refund(owner, first.donation.id);
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toMatchObject({ donation: { id: first.donation.id, status: 'refunded', refundedAmount: 2000 }, refund: { status: 'succeeded', amount: 2000 } });
    expect(byOwner.body.refund.id).toMatch(/^re_/);
    const again = await refund(owner, first.donation.id);
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('not_refundable');
    // Stripe's charge.refunded for the same refund follows; nothing more comes off.
    const late = await webhook(chargeRefundedEvent(first.donation));
    expect(late.body.outcome).toBe('no_change');
    const byTreasurer = await refund(treasurer, second.donation.id);
    expect(byTreasurer.status).toBe(200);
    const types = (await t.server.services.store.readStream(`donation-${second.donation.id}`)).map((e) => e.type);
    expect(types).toEqual(['DonationPledged', 'DonationCompleted', 'DonationRefundRequested', 'DonationRefunded']);

    const stats = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations/stats`, { token: member.token, headers: pos(byTreasurer) });
    expect(stats.body).toMatchObject({ total: 0, count: 0, average: 0 });
    const doc = await t.api.request('GET', `/v1/revolts/${revolt.id}`, { token: owner.token, headers: pos(byTreasurer) });
    expect(doc.body.stats.totalDonations).toBe(0);
    const me = await t.api.request('GET', '/v1/users/@me', { token: donor.token, headers: pos(byTreasurer) });
    expect(me.body.stats.totalDonated).toBe(0);
    const seenByOthers = await t.api.request('GET', `/v1/users/${donor.id}`, { token: member.token, headers: pos(byTreasurer) });
    expect(seenByOthers.body.stats.messagesSent).toBe(0);
    expect(seenByOthers.body.stats).not.toHaveProperty('totalDonated');
  });
});

describe('totals', () => {
  it('totalRaised goes to the owner at the time of the pledge; totals are exact under redelivery and after rebuilds', async () => {
    const [founder, heir, donor] = await Promise.all(['tfounder', 'their', 'tdonor'].map((n) => t.api.register(n)));
    const revolt = await revoltWith(founder, [heir, donor]);
    const early = await pledge(donor, revolt.id, { amount: 4000, currency: 'usd', isAnonymous: false });
    expect((await t.api.request('POST', `/v1/revolts/${revolt.id}/owner`, { token: founder.token, body: { userId: heir.id } })).status).toBe(200);
    await webhook(paymentIntentEvent('payment_intent.succeeded', early.body.donation));
    const later = await donate(donor, revolt.id, 600);
    await donate(heir, revolt.id, 150); // the owner giving to their own revolt
    const partial = await webhook(chargeRefundedEvent(later.donation, { amountRefunded: 100 }));
    expect(partial.body.outcome).toBe('applied');

    const { services, engine } = t.server;
    const head = await services.store.headPosition();
    for (const name of ['users', 'revolts', 'donations']) expect(await engine.waitForPosition(name, head, 10_000)).toBe(true);
    const figures = async () => {
      const users = services.db.collection('users');
      const stat = async (id: string) => (await users.findOne({ id }))?.stats;
      const [f, h, d] = await Promise.all([stat(founder.id), stat(heir.id), stat(donor.id)]);
      const r = await services.db.collection('revolts').findOne({ id: revolt.id });
      const stats = await t.api.request('GET', `/v1/revolts/${revolt.id}/donations/stats`, { token: donor.token });
      return {
        founderRaised: f?.totalRaised,
        heirRaised: h?.totalRaised,
        heirDonated: h?.totalDonated,
        donorDonated: d?.totalDonated,
        revoltTotal: r?.stats.totalDonations,
        stats: stats.body,
      };
    };
    const expected = {
      founderRaised: 4000,
      heirRaised: 500 + 150,
      heirDonated: 150,
      donorDonated: 4000 + 500,
      revoltTotal: 4650,
      stats: { total: 4650, count: 3, average: 1550, byCurrency: { usd: { total: 4650, count: 3, average: 1550 } } },
    };
    expect(await figures()).toEqual(expected);

    // A redelivery that got past the lane's checkpoint: every event applied again, straight to the live collections.
    const events = await services.store.readAll({ after: 0, maxCount: 100_000 });
    for (const model of readModels.filter((m) => ['users', 'revolts', 'donations'].includes(m.name))) {
      for (const event of events) await model.apply(event, liveContext(services.db, model));
    }
    expect(await figures()).toEqual(expected);

    for (const name of ['donations', 'revolts', 'users']) expect((await engine.rebuild(name)).position).toBeGreaterThanOrEqual(head);
    expect(await figures()).toEqual(expected);
  });
});
