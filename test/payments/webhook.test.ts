import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/events/ids.ts';
import { startTestServer } from '../support/api.ts';
import { chargeRefundedEvent, eventId, otherEvent, paymentIntentEvent, signed, signedBody, STRIPE_TEST_ENV, WEBHOOK_SECRETS } from './stripe-webhooks.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
type User = Awaited<ReturnType<typeof t.api.register>>;
let owner: User;
let donor: User;
let revoltId: string;

beforeAll(async () => {
  t = await startTestServer('webhook', STRIPE_TEST_ENV);
  [owner, donor] = await Promise.all([t.api.register('whowner'), t.api.register('whdonor')]);
  const revolt = await t.api.request('POST', '/v1/revolts', { token: owner.token, body: { name: 'Webhook Fund' } });
  expect(revolt.status).toBe(201);
  revoltId = revolt.body.id;
});
afterAll(() => t?.close());

const WEBHOOK = '/v1/payments/stripe/webhook';
const deliver = (event: object, options: Parameters<typeof signed>[1] = {}) => {
  const { payload, headers } = signed(event, options);
  return t.api.request('POST', WEBHOOK, { body: payload, headers });
};
const streamOf = async (donationId: string) => (await t.server.services.store.readStream(`donation-${donationId}`)).map((e) => e.type);

async function pledge(amount = 2500, currency = 'usd') {
  const res = await t.api.request('POST', `/v1/revolts/${revoltId}/donations`, { token: donor.token, body: { amount, currency, isAnonymous: false } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.donation;
}

async function mine(donationId: string, position: unknown) {
  const res = await t.api.request('GET', '/v1/users/@me/donations', { token: donor.token, headers: { 'x-min-position': String(position) } });
  expect(res.status).toBe(200);
  return res.body.items.find((d: { id: string }) => d.id === donationId);
}

describe('signature verification', () => {
  it('refuses a missing, wrong, altered or stale signature with 400 and records nothing; either rotated secret verifies', async () => {
    const donation = await pledge();
    const event = paymentIntentEvent('payment_intent.succeeded', donation);
    const unsigned = await t.api.request('POST', WEBHOOK, { body: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.error.code).toBe('missing_signature');
    expect((await deliver(event, { secret: 'whsec_someone_else' })).body.error.code).toBe('invalid_signature');
    const { headers } = signed(event);
    const altered = await t.api.request('POST', WEBHOOK, { body: JSON.stringify({ ...event, data: { object: { ...event.data.object, amount: 1 } } }), headers });
    expect(altered.status).toBe(400);
    expect(altered.body.error.code).toBe('invalid_signature');
    // Re-serialised (same JSON, other whitespace): the signature is over the raw bytes.
    const spaced = await t.api.request('POST', WEBHOOK, { body: JSON.stringify(event, null, 2), headers });
    expect(spaced.body.error.code).toBe('invalid_signature');
    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('stale_signature');
    expect(await streamOf(donation.id)).toEqual(['DonationPledged']);
    expect(await t.server.services.store.readStream(`stripe-event-${event.id}`)).toEqual([]);

    const viaOldSecret = await deliver(event, { secret: WEBHOOK_SECRETS[0], timestamp: Math.floor(Date.now() / 1000) - 290 });
    expect(viaOldSecret.status).toBe(200);
    expect(viaOldSecret.body).toMatchObject({ received: true, outcome: 'applied', donationId: donation.id });
    expect(await streamOf(donation.id)).toEqual(['DonationPledged', 'DonationCompleted']);
  });

  it('a correctly signed body that is not a Stripe event is a 400 that appends nothing', async () => {
    const donation = await pledge();
    const before = await t.server.services.store.headPosition();
    const succeeded = paymentIntentEvent('payment_intent.succeeded', donation);
    const bodies: [string, string][] = [
      ['not JSON', 'this is not json {'],
      ['JSON null', 'null'],
      ['a JSON number', '42'],
      ['an event without data', JSON.stringify({ ...succeeded, data: undefined })],
      ['an event created in year 10000', JSON.stringify({ ...succeeded, created: 253_402_300_800 })],
      ['an event holding NUL', JSON.stringify({ ...succeeded, data: { object: { ...succeeded.data.object, metadata: { donationId: donation.id, note: 'a\u0000' } } } })],
    ];
    for (const [what, payload] of bodies) {
      const { headers } = signedBody(payload);
      const res = await t.api.request('POST', WEBHOOK, { body: payload, headers });
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code, what).toBe('invalid_request');
    }
    expect(await t.server.services.store.headPosition()).toBe(before);
    expect(await streamOf(donation.id)).toEqual(['DonationPledged']);
  });

  it('needs no bearer token, and other routes still parse JSON as before', async () => {
    const ignored = await deliver(otherEvent('customer.created'));
    expect(ignored.status).toBe(200);
    expect(ignored.body).toEqual({ received: true, ignored: true });
    const patch = await t.api.request('PATCH', '/v1/users/@me', { token: donor.token, body: { bio: 'still json' } });
    expect(patch.status).toBe(200);
  });
});

describe('applying Stripe events', () => {
  it('completes a donation once however often the event is delivered, concurrently or not', async () => {
    const donation = await pledge(4200);
    const event = paymentIntentEvent('payment_intent.succeeded', donation);
    const deliveries = await Promise.all([1, 2, 3, 4].map(() => deliver(event)));
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    expect(await streamOf(donation.id)).toEqual(['DonationPledged', 'DonationCompleted']);
    const again = await deliver(event);
    expect(again.body).toMatchObject({ received: true, duplicate: true, outcome: 'applied' });
    // Stripe never sends two succeeded events for one intent, but if it did, the second would change nothing.
    const second = await deliver(paymentIntentEvent('payment_intent.succeeded', donation));
    expect(second.body.outcome).toBe('no_change');
    const recorded = await t.server.services.store.readStream(`stripe-event-${event.id}`);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.data).toMatchObject({ stripeEventId: event.id, type: 'payment_intent.succeeded', donationId: donation.id, outcome: 'applied' });
    const doc = await mine(donation.id, second.headers['x-event-position']);
    expect(doc).toMatchObject({ status: 'completed', amount: 4200, flagged: false });
    expect(doc.completedAt).toBeDefined();
  });

  it('out of order: a refund before the success ends refunded; a success after a decline ends completed', async () => {
    const first = await pledge(1500);
    const refunded = await deliver(chargeRefundedEvent(first)); // no metadata: found through the payment intent
    expect(refunded.body).toMatchObject({ outcome: 'applied', donationId: first.id });
    const late = await deliver(paymentIntentEvent('payment_intent.succeeded', first));
    expect(late.body.outcome).toBe('no_change');
    expect(await streamOf(first.id)).toEqual(['DonationPledged', 'DonationCompleted', 'DonationRefunded']);
    expect(await mine(first.id, late.headers['x-event-position'])).toMatchObject({ status: 'refunded', refundedAmount: 1500 });

    const second = await pledge(1600);
    expect((await deliver(paymentIntentEvent('payment_intent.payment_failed', second))).body.outcome).toBe('applied');
    const ok = await deliver(paymentIntentEvent('payment_intent.succeeded', second));
    expect(ok.body.outcome).toBe('applied');
    const staleFailure = await deliver(paymentIntentEvent('payment_intent.payment_failed', second));
    expect(staleFailure.body.outcome).toBe('no_change');
    expect(await streamOf(second.id)).toEqual(['DonationPledged', 'DonationFailed', 'DonationCompleted']);
    expect(await mine(second.id, staleFailure.headers['x-event-position'])).toMatchObject({ status: 'completed' });
  });

  it('an amount or currency that differs from the pledge is recorded and flagged, never accepted', async () => {
    const donation = await pledge(5000, 'eur');
    const res = await deliver(paymentIntentEvent('payment_intent.succeeded', donation, { amount: 500 }));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('mismatch');
    const wrongCurrency = await deliver(paymentIntentEvent('payment_intent.succeeded', donation, { currency: 'usd' }));
    expect(wrongCurrency.body.outcome).toBe('mismatch');
    const events = await t.server.services.store.readStream(`donation-${donation.id}`);
    expect(events.map((e) => e.type)).toEqual(['DonationPledged', 'DonationPaymentMismatch', 'DonationPaymentMismatch']);
    expect(events[1]?.data).toMatchObject({ fields: ['amount'], expected: { amount: 5000, currency: 'eur' }, received: { amount: 500, currency: 'eur' } });
    expect(events[2]?.data).toMatchObject({ fields: ['currency'] });
    const doc = await mine(donation.id, wrongCurrency.headers['x-event-position']);
    expect(doc).toMatchObject({ status: 'pending', flagged: true });
    const stats = await t.api.request('GET', `/v1/revolts/${revoltId}/donations/stats?currency=eur`, { token: donor.token });
    expect(stats.body).toMatchObject({ total: 0, count: 0, average: 0 });
  });

  it('ignores what is not ours; asks Stripe to retry an event about a donation not recorded yet', async () => {
    const stranger = { id: newId(), amount: 100, currency: 'usd', stripePaymentIntentId: 'pi_not_ours', revolt: { revoltId } };
    const unmatched = await deliver(paymentIntentEvent('payment_intent.succeeded', stranger, { metadata: {} }));
    expect(unmatched.status).toBe(200);
    expect(unmatched.body).toEqual({ received: true, outcome: 'unmatched' });
    const early = await deliver(paymentIntentEvent('payment_intent.succeeded', stranger));
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('donation_not_found');
    const malformed = await deliver({ id: eventId(), object: 'event', type: 'payment_intent.succeeded', created: 1, data: { object: { id: 'pi_x' } } });
    expect(malformed.status).toBe(400);
  });
});
