import { ObjectId, type Document } from 'mongodb';
import { describe, it } from 'vitest';
import { donationsReadModel } from '../../../src/projections/donations/read-model.ts';
import { date, donationCompleted, donationRefunded, eventOf, hexId, ids, revoltUpdated, time } from '../fixtures.ts';
import { readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(donationsReadModel);

const secondDonation = hexId(0x41);

const pledged = eventOf('DonationPledged', (p) => ({
  donationId: ids.donation,
  revoltId: ids.revolt,
  revoltName: 'Barricade',
  revoltIcon: 'https://cdn.example.com/icon.png',
  ownerId: ids.ada,
  donorId: ids.bob,
  donorEmail: 'bob@example.com',
  donorName: 'bob',
  amount: 2500,
  currency: 'eur',
  message: 'For the cause',
  isAnonymous: false,
  stripePaymentIntentId: 'pi_1',
  pledgedAt: time(p),
}));
const failed = eventOf('DonationFailed', (p) => ({ donationId: ids.donation, stripePaymentIntentId: 'pi_1', stripeEventId: 'evt_failed', failedAt: time(p) }));
const mismatch = eventOf('DonationPaymentMismatch', (p) => ({
  donationId: ids.donation,
  source: 'payment_intent.succeeded',
  fields: ['amount'],
  expected: { amount: 2500, currency: 'eur', paymentIntentId: 'pi_1' },
  received: { amount: 2400 },
  detectedAt: time(p),
}));
const refundRequested = eventOf('DonationRefundRequested', (p) => ({
  donationId: ids.donation,
  requestedBy: ids.ada,
  amount: 1000,
  stripeRefundId: 're_1',
  stripeRefundStatus: 'pending',
  stripeRefundAmount: 1000,
  stripeRefundCurrency: 'eur',
  requestedAt: time(p),
}));

/** The document of the donation `pledged(position)` pledges, with `changes` laid over it. */
const donation = (position: number, changes: Document = {}) => ({
  _id: new ObjectId(ids.donation),
  id: ids.donation,
  amount: 2500,
  currency: 'eur',
  donor: { userId: new ObjectId(ids.bob), email: 'bob@example.com', name: 'bob', isAnonymous: false },
  revolt: { revoltId: new ObjectId(ids.revolt), name: 'Barricade', icon: 'https://cdn.example.com/icon.png' },
  message: 'For the cause',
  isAnonymous: false,
  status: 'pending',
  stripePaymentIntentId: 'pi_1',
  refundedAmount: 0,
  netAmount: 0,
  flagged: false,
  createdAt: date(position),
  _pos: position,
  ...changes,
});

describe('donations read model', () => {
  it("DonationPledged creates a pending donation; the donor's id is kept when anonymous, a message and an icon only when given", () =>
    given()
      .when([
        pledged(1),
        pledged(2, { donationId: secondDonation, revoltIcon: undefined, message: undefined, isAnonymous: true, amount: 700, stripePaymentIntentId: 'pi_2' }),
      ])
      .then([
        donation(1),
        {
          _id: new ObjectId(secondDonation),
          id: secondDonation,
          amount: 700,
          currency: 'eur',
          donor: { userId: new ObjectId(ids.bob), email: 'bob@example.com', name: 'bob', isAnonymous: true },
          revolt: { revoltId: new ObjectId(ids.revolt), name: 'Barricade' },
          isAnonymous: true,
          status: 'pending',
          stripePaymentIntentId: 'pi_2',
          refundedAmount: 0,
          netAmount: 0,
          flagged: false,
          createdAt: date(2),
          _pos: 2,
        },
      ]));

  it('DonationCompleted completes it with its net amount and charge; partial then full refunds take money off and end refunded', () =>
    given([pledged(1)])
      .when([donationCompleted(2, { stripeChargeId: 'ch_1' }), refundRequested(3), donationRefunded(4), donationRefunded(5, { amount: 1500, refundedTotal: 2500, full: true })])
      .then([donation(1, { status: 'refunded', completedAt: date(2), stripeChargeId: 'ch_1', netAmount: 0, refundedAmount: 2500, refundedAt: date(5), _pos: 5 })]));

  it('DonationFailed fails it with its failure code', () =>
    given([pledged(1)])
      .when([failed(2, { failureCode: 'card_declined', failureMessage: 'Your card was declined.' })])
      .then([donation(1, { status: 'failed', failedAt: date(2), failureCode: 'card_declined', _pos: 2 })]));

  it('DonationPaymentMismatch flags it', () =>
    given([pledged(1)])
      .when([mismatch(2)])
      .then([donation(1, { flagged: true, _pos: 2 })]));

  it("RevoltUpdated renames the revolt and sets or removes its icon on each of its donations; other changes write nothing", () =>
    given([pledged(1), pledged(2, { donationId: secondDonation, revoltId: ids.otherRevolt })])
      .when([revoltUpdated(3, { changes: { name: 'Commune', icon: 'https://cdn.example.com/new.png' } }), revoltUpdated(4, { changes: { icon: null } }), revoltUpdated(5, { changes: { description: 'Not on donations' } })])
      .then([
        { ...donation(1, { _pos: 4 }), revolt: { revoltId: new ObjectId(ids.revolt), name: 'Commune' } },
        { ...donation(2, { _id: new ObjectId(secondDonation), id: secondDonation }), revolt: { revoltId: new ObjectId(ids.otherRevolt), name: 'Barricade', icon: 'https://cdn.example.com/icon.png' } },
      ]));

  it('a redelivered history changes nothing', () => {
    const history = [pledged(1), donationCompleted(2), donationRefunded(3), mismatch(4)];
    return given(history)
      .when(history)
      .then([donation(1, { status: 'completed', completedAt: date(2), netAmount: 1500, refundedAmount: 1000, refundedAt: date(3), flagged: true, _pos: 4 })]);
  });

  it('events older than the donation, arriving late and out of order, change nothing', () =>
    given([pledged(1), donationCompleted(4)])
      .when([failed(3), donationRefunded(2)])
      .then([donation(1, { status: 'completed', completedAt: date(4), netAmount: 2500, _pos: 4 })]));
});
