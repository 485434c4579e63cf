import { describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { canonicalJson, ChainVerifier, eventHash, genesisHash, sealHashChain } from '../../src/commands/donations/chain.ts';
import { donationDecider, type DonationCommand, type DonationState } from '../../src/commands/donations/decide.ts';
import type { DonationEvent } from '../../src/commands/donations/events.ts';
import { fold } from '../../src/commands/decider.ts';
import { revoltDecider } from '../../src/commands/revolts/decide.ts';
import type { RevoltEvent } from '../../src/commands/revolts/events.ts';
import type { RevoltState } from '../../src/commands/revolts/state.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { given } from '../support/decider.ts';
import { UNGATED } from '../support/features.ts';

const catalogue = buildEventCatalogue();
const at = '2026-01-01T00:00:00.000Z';
const later = '2026-01-01T00:05:00.000Z';
const id = (c: string) => c.repeat(24);
const [R, EVERYONE, GENERAL, D] = [id('a'), id('b'), id('c'), id('d')];
const [OWNER, TREASURER, MEMBER, STRANGER, BANNED] = [id('1'), id('2'), id('3'), id('4'), id('5')];
const TREASURY_ROLE = id('e');
const PI = 'pi_test_1';

function revoltAfter(extra: RevoltEvent[] = [], settings: Record<string, unknown> = {}): RevoltState {
  const events: RevoltEvent[] = revoltDecider.decide(
    { type: 'CreateRevolt', revoltId: R, everyoneRoleId: EVERYONE, defaultChannelId: GENERAL, inviteCode: 'INVITE01', owner: { userId: OWNER, username: 'owner' }, name: 'Fund', description: '', settings, features: UNGATED, at },
    revoltDecider.initialState,
  );
  for (const [userId, username] of [[TREASURER, 'treasurer'], [MEMBER, 'member'], [BANNED, 'banned']] as const) {
    events.push({ type: 'MemberJoined', data: { revoltId: R, revoltName: 'Fund', userId, username, isOwner: false, joinedAt: at } });
  }
  events.push(
    { type: 'RoleCreated', data: { revoltId: R, roleId: TREASURY_ROLE, name: 'treasury', color: '#ffffff', permissions: ['MANAGE_DONATIONS'], position: 3, isManaged: false, createdAt: at } },
    { type: 'MemberRoleGranted', data: { revoltId: R, userId: TREASURER, roleId: TREASURY_ROLE, by: OWNER, at } },
    { type: 'MemberBanned', data: { revoltId: R, userId: BANNED, by: OWNER, wasMember: true, at } },
    ...extra,
  );
  return fold(revoltDecider, events);
}
const publicRevolt = revoltAfter();
const privateRevolt = revoltAfter([], { isPublic: false });

const pledge = (over: Partial<Extract<DonationCommand, { type: 'Pledge' }>> = {}): Extract<DonationCommand, { type: 'Pledge' }> => ({
  type: 'Pledge',
  donationId: D,
  revolt: publicRevolt,
  donor: { userId: MEMBER, email: 'm@example.com', name: 'member' },
  amount: 2500,
  currency: 'usd',
  message: 'go!',
  isAnonymous: false,
  stripePaymentIntentId: PI,
  at,
  ...over,
});
const pledged = donationDecider.decide(pledge(), donationDecider.initialState) as DonationEvent[];
const money = { donationId: D, revoltId: R, donorId: MEMBER, ownerId: OWNER, currency: 'usd' };
const succeeded = (over: Partial<Extract<DonationCommand, { type: 'ConfirmPayment' }>> = {}): DonationCommand => ({
  type: 'ConfirmPayment',
  stripeEventId: 'evt_ok',
  stripeEventType: 'payment_intent.succeeded',
  paymentIntentId: PI,
  amount: 2500,
  currency: 'usd',
  chargeId: 'ch_1',
  at: later,
  ...over,
});
const chargeRefunded = (over: Partial<Extract<DonationCommand, { type: 'RecordChargeRefund' }>> = {}): DonationCommand => ({
  type: 'RecordChargeRefund',
  stripeEventId: 'evt_refund',
  stripeEventType: 'charge.refunded',
  paymentIntentId: PI,
  chargeId: 'ch_1',
  chargeAmount: 2500,
  amountRefunded: 2500,
  currency: 'usd',
  at: later,
  ...over,
});
const completedEvent: DonationEvent = {
  type: 'DonationCompleted',
  data: { ...money, amount: 2500, stripePaymentIntentId: PI, stripeChargeId: 'ch_1', stripeEventId: 'evt_ok', stripeEventType: 'payment_intent.succeeded', completedAt: later },
};
const after = (...events: DonationEvent[]) => given(donationDecider, [...pledged, ...events]);
const stateOf = (...events: DonationEvent[]): DonationState => fold(donationDecider, [...pledged, ...events]);

describe('pledging', () => {
  it('records the pledge with the revolt, the owner at the time, the donor and the payment intent', () => {
    given(donationDecider).when(pledge()).then([
      {
        type: 'DonationPledged',
        data: {
          donationId: D,
          revoltId: R,
          revoltName: 'Fund',
          ownerId: OWNER,
          donorId: MEMBER,
          donorEmail: 'm@example.com',
          donorName: 'member',
          amount: 2500,
          currency: 'usd',
          message: 'go!',
          isAnonymous: false,
          stripePaymentIntentId: PI,
          pledgedAt: at,
        },
      },
    ]);
    expect(stateOf()).toMatchObject({ exists: true, status: 'pending', amount: 2500, paymentIntentId: PI });
  });

  it('anyone may give to a public revolt; only members to a private one; never the banned', () => {
    given(donationDecider).when(pledge({ donor: { userId: STRANGER, email: 's@x', name: 's' } })).then((e) => expect(e).toHaveLength(1));
    given(donationDecider).when(pledge({ revolt: privateRevolt })).then((e) => expect(e).toHaveLength(1));
    given(donationDecider).when(pledge({ revolt: privateRevolt, donor: { userId: STRANGER, email: 's@x', name: 's' } })).thenFails(404, 'not_found');
    given(donationDecider).when(pledge({ donor: { userId: BANNED, email: 'b@x', name: 'b' } })).thenFails(403, 'forbidden');
    given(donationDecider).when(pledge({ revolt: revoltDecider.initialState })).thenFails(404, 'not_found');
  });

  it('enforces the limits: amount 100..100,000,000 minor units, a known currency, a message of at most 500', () => {
    given(donationDecider).when(pledge({ amount: 99 })).thenFails(422, 'amount_out_of_range');
    given(donationDecider).when(pledge({ amount: 100_000_001 })).thenFails(422, 'amount_out_of_range');
    given(donationDecider).when(pledge({ amount: 100.5 })).thenFails(422, 'amount_out_of_range');
    given(donationDecider).when(pledge({ amount: 100_000_000 })).then((e) => expect(e).toHaveLength(1));
    given(donationDecider).when(pledge({ currency: 'jpy' })).thenFails(422, 'currency_not_supported');
    given(donationDecider).when(pledge({ message: 'x'.repeat(501) })).thenFails(422, 'message_too_long');
  });

  it('before Stripe is asked, RequestPledge decides whether the donor may pledge, or whether a retry asks for the same again', () => {
    const request = (over: Partial<Extract<DonationCommand, { type: 'RequestPledge' }>> = {}): DonationCommand => ({
      type: 'RequestPledge',
      revolt: publicRevolt,
      donorId: MEMBER,
      amount: 2500,
      currency: 'usd',
      message: 'go!',
      isAnonymous: false,
      at,
      ...over,
    });
    given(donationDecider).when(request()).then([]);
    given(donationDecider).when(request({ donorId: BANNED })).thenFails(403, 'forbidden');
    given(donationDecider).when(request({ revolt: privateRevolt, donorId: STRANGER })).thenFails(404, 'not_found');
    given(donationDecider).when(request({ amount: 99 })).thenFails(422, 'amount_out_of_range');
    after().when(request()).then([]);
    after().when(request({ amount: 2400 })).thenFails(422, 'idempotency_key_reused');
    after().when(request({ isAnonymous: true })).thenFails(422, 'idempotency_key_reused');
  });

  it('a retried pledge with the same payment intent is a no-op; another one is a conflict', () => {
    after().when(pledge()).then([]);
    after().when(pledge({ stripePaymentIntentId: 'pi_other' })).thenFails(409, 'already_exists');
  });
});

describe('settling through Stripe events', () => {
  it('payment_intent.succeeded completes a pending donation, once', () => {
    after().when(succeeded()).then([completedEvent]);
    after(completedEvent).when(succeeded()).then([]);
    after(completedEvent).when(succeeded({ stripeEventId: 'evt_again' })).then([]);
    expect(stateOf(completedEvent).status).toBe('completed');
  });

  it('an amount, currency or payment intent that differs from the pledge is recorded as a mismatch, never accepted', () => {
    const events = after().when(succeeded({ amount: 2400, currency: 'eur' })).then([
      {
        type: 'DonationPaymentMismatch',
        data: {
          donationId: D,
          source: 'payment_intent.succeeded',
          stripeEventId: 'evt_ok',
          fields: ['amount', 'currency'],
          expected: { amount: 2500, currency: 'usd', paymentIntentId: PI },
          received: { amount: 2400, currency: 'eur', paymentIntentId: PI },
          detectedAt: later,
        },
      },
    ]);
    const state = stateOf(...events);
    expect(state).toMatchObject({ status: 'pending', flagged: true });
    after(...events).when(succeeded({ amount: 2400, currency: 'eur' })).then([]);
    after().when(succeeded({ paymentIntentId: 'pi_other' })).then((e) => expect(e[0]?.data).toMatchObject({ fields: ['payment_intent'] }));
    after().when(chargeRefunded({ chargeAmount: 9999, amountRefunded: 9999 })).then((e) => expect(e[0]?.type).toBe('DonationPaymentMismatch'));
    after(completedEvent).when(chargeRefunded({ amountRefunded: 3000 })).then((e) => expect(e[0]?.data).toMatchObject({ fields: ['refund_amount'] }));
  });

  it('a declined card fails the donation; a later success still completes it; a late failure changes nothing', () => {
    const failed = after().when({ type: 'FailPayment', stripeEventId: 'evt_fail', paymentIntentId: PI, failureCode: 'card_declined', at });
    const events = failed.then([
      { type: 'DonationFailed', data: { donationId: D, stripePaymentIntentId: PI, stripeEventId: 'evt_fail', failureCode: 'card_declined', failedAt: at } },
    ]);
    expect(stateOf(...events).status).toBe('failed');
    after(...events).when(succeeded()).then([completedEvent]);
    after(completedEvent).when({ type: 'FailPayment', stripeEventId: 'evt_fail', paymentIntentId: PI, at }).then([]);
  });

  it('charge.refunded refunds a completed donation; partial refunds add up; duplicates and stale totals do nothing', () => {
    const partial = after(completedEvent).when(chargeRefunded({ stripeEventId: 'evt_r1', amountRefunded: 1000 })).then([
      { type: 'DonationRefunded', data: { ...money, amount: 1000, refundedTotal: 1000, full: false, stripeChargeId: 'ch_1', stripeEventId: 'evt_r1', refundedAt: later } },
    ]);
    expect(stateOf(completedEvent, ...partial)).toMatchObject({ status: 'completed', refundedAmount: 1000 });
    const rest = after(completedEvent, ...partial).when(chargeRefunded({ stripeEventId: 'evt_r2' })).then([
      { type: 'DonationRefunded', data: { ...money, amount: 1500, refundedTotal: 2500, full: true, stripeChargeId: 'ch_1', stripeEventId: 'evt_r2', refundedAt: later } },
    ]);
    expect(stateOf(completedEvent, ...partial, ...rest)).toMatchObject({ status: 'refunded', refundedAmount: 2500 });
    after(completedEvent, ...partial, ...rest).when(chargeRefunded({ stripeEventId: 'evt_r2' })).then([]);
    after(completedEvent, ...partial).when(chargeRefunded({ stripeEventId: 'evt_r0', amountRefunded: 500 })).then([]);
  });

  it('out of order: charge.refunded before payment_intent.succeeded completes then refunds; the late success changes nothing', () => {
    const events = after().when(chargeRefunded()).then((e) => expect(e.map((x) => x.type)).toEqual(['DonationCompleted', 'DonationRefunded']));
    const state = stateOf(...events);
    expect(state).toMatchObject({ status: 'refunded', refundedAmount: 2500 });
    after(...events).when(succeeded()).then([]);
  });
});

describe('refunds through the API', () => {
  const refund = (over: Partial<{ id: string; status: string; amount: number; currency: string }> = {}) => ({ id: 're_1', status: 'succeeded', amount: 2500, currency: 'usd', ...over });

  it('the owner or a holder of MANAGE_DONATIONS may refund a completed donation; a plain member or an outsider may not (a private revolt is not there for an outsider)', () => {
    after(completedEvent).when({ type: 'RequestRefund', revolt: publicRevolt, actorId: OWNER, at }).then([]);
    after(completedEvent).when({ type: 'RequestRefund', revolt: publicRevolt, actorId: TREASURER, at }).then([]);
    after(completedEvent).when({ type: 'RequestRefund', revolt: publicRevolt, actorId: MEMBER, at }).thenFails(403, 'forbidden');
    after(completedEvent).when({ type: 'RequestRefund', revolt: publicRevolt, actorId: STRANGER, at }).thenFails(403, 'forbidden');
    after(completedEvent).when({ type: 'RequestRefund', revolt: privateRevolt, actorId: STRANGER, at }).thenFails(404, 'not_found');
    after().when({ type: 'RequestRefund', revolt: publicRevolt, actorId: OWNER, at }).thenFails(422, 'not_refundable');
  });

  it('records what Stripe answered: requested then refunded; once per Stripe refund', () => {
    const events = after(completedEvent).when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund(), at: later }).then([
      {
        type: 'DonationRefundRequested',
        data: { donationId: D, requestedBy: OWNER, amount: 2500, stripeRefundId: 're_1', stripeRefundStatus: 'succeeded', stripeRefundAmount: 2500, stripeRefundCurrency: 'usd', requestedAt: later },
      },
      { type: 'DonationRefunded', data: { ...money, amount: 2500, refundedTotal: 2500, full: true, stripeRefundId: 're_1', refundedAt: later } },
    ]);
    after(completedEvent, ...events).when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund(), at: later }).then([]);
    after(completedEvent, ...events).when({ type: 'RequestRefund', revolt: publicRevolt, actorId: OWNER, at }).thenFails(422, 'not_refundable');
    // The charge.refunded webhook for the same refund arrives afterwards: nothing more comes off.
    after(completedEvent, ...events).when(chargeRefunded()).then([]);
  });

  it('a webhook that overtook the API answer leaves only the request to record; pending and failed refunds move no money', () => {
    const viaWebhook = after(completedEvent).when(chargeRefunded()).then((e) => expect(e).toHaveLength(1));
    after(completedEvent, ...viaWebhook)
      .when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund(), at })
      .then((e) => expect(e.map((x) => x.type)).toEqual(['DonationRefundRequested']));
    after(completedEvent).when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund({ status: 'pending' }), at })
      .then((e) => expect(e.map((x) => x.type)).toEqual(['DonationRefundRequested']));
    const failed = after(completedEvent).when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund({ status: 'failed' }), at })
      .then((e) => expect(e.map((x) => x.type)).toEqual(['DonationRefundRequested', 'DonationRefundFailed']));
    expect(stateOf(completedEvent, ...failed)).toMatchObject({ status: 'completed', failedRefunds: 1 });
    after(completedEvent).when({ type: 'RecordRefund', actorId: OWNER, requestedAmount: 2500, refund: refund({ amount: 100 }), at })
      .then((e) => expect(e.map((x) => x.type)).toEqual(['DonationRefundRequested', 'DonationPaymentMismatch']));
  });
});

describe('hash chain', () => {
  it('canonical JSON ignores key order and undefined, so hashes survive a jsonb round trip', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }], e: null })).toBe('{"a":[1,{"c":"x"}],"b":1,"e":null}');
    const event = { id: 'e1', type: 'T', data: { z: 1, a: 2 }, metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: at, schemaVersion: 1 } };
    const reordered = { ...event, data: { a: 2, z: 1 } };
    expect(eventHash(event)).toBe(eventHash(reordered));
    expect(eventHash(event)).not.toBe(eventHash({ ...event, data: { a: 3, z: 1 } }));
  });

  it('the handler seals each appended event with the previous hash; the verifier finds the first bad revision', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { catalogue });
    const context = { actorId: OWNER, correlationId: 'c', causationId: 'c' };
    await handler.execute('donation-x', donationDecider, pledge(), context, { seal: sealHashChain });
    await handler.execute('donation-x', donationDecider, succeeded(), context, { seal: sealHashChain });
    await handler.execute('donation-x', donationDecider, chargeRefunded(), context, { seal: sealHashChain });
    const events = await store.readStream('donation-x');
    expect(events.map((e) => e.type)).toEqual(['DonationPledged', 'DonationCompleted', 'DonationRefunded']);
    expect(events[0]?.metadata.previousHash).toBe(genesisHash('donation-x'));
    expect(events[1]?.metadata.previousHash).toBe(events[0]?.metadata.hash);
    expect(events[2]?.metadata.previousHash).toBe(eventHash(events[1]!));

    const verify = (list: typeof events) => {
      const verifier = new ChainVerifier(() => true);
      for (const e of list) verifier.add(e);
      return verifier.result();
    };
    expect(verify(events).broken).toEqual([]);
    const tampered = events.map((e) => (e.revision === 1 ? { ...e, data: { ...(e.data as object), amount: 1 } } : e));
    expect(verify(tampered).broken).toEqual([{ streamId: 'donation-x', firstBadRevision: 1, reason: 'hash_mismatch' }]);
    const rehashed = tampered.map((e) => (e.revision === 1 ? { ...e, metadata: { ...e.metadata, hash: eventHash(e) } } : e));
    expect(verify(rehashed).broken).toEqual([{ streamId: 'donation-x', firstBadRevision: 2, reason: 'previous_hash_mismatch' }]);
    expect(verify(events.filter((e) => e.revision !== 1)).broken).toEqual([{ streamId: 'donation-x', firstBadRevision: 1, reason: 'revision_gap' }]);
  });

  it('a conflicting append is resealed against the new predecessor on retry', async () => {
    const store = new MemoryEventStore();
    const [first, second] = [new CommandHandler(store, { catalogue }), new CommandHandler(store, { catalogue })];
    const context = { actorId: OWNER, correlationId: 'c', causationId: 'c' };
    await first.execute('donation-y', donationDecider, pledge(), context, { seal: sealHashChain });
    await second.load('donation-y', donationDecider); // caches revision 0
    await first.execute('donation-y', donationDecider, succeeded(), context, { seal: sealHashChain });
    await second.execute('donation-y', donationDecider, chargeRefunded(), context, { seal: sealHashChain }); // stale, then retried
    const events = await store.readStream('donation-y');
    expect(events.map((e) => e.type)).toEqual(['DonationPledged', 'DonationCompleted', 'DonationRefunded']);
    const verifier = new ChainVerifier();
    for (const e of events) verifier.add(e);
    expect(verifier.result()).toMatchObject({ streams: 1, events: 3, broken: [] });
  });
});
