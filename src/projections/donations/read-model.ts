import { ObjectId, type Document } from 'mongodb';
import { insertOnce, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';
import { recordFromPledge } from './view.ts';

/**
 * The seed's `donations` collection: one document per donation, `_id` its ObjectId. Beyond the seed's fields it
 * keeps `currency`, `refundedAmount` (money returned so far; `status` turns `refunded` once it is all of it),
 * `netAmount` (completed minus refunded money: what the stats add up, with a single $sum — see routes.ts),
 * `flagged` (a Stripe report disagreed with the pledge) and the failure/refund times. `donor.userId` is kept
 * for anonymous donations too (the donor must find their own); the API hides it from everyone else.
 * Every write is guarded by the event's position (guard.ts), so redelivery and replay change nothing.
 */
export const donationsReadModel: ReadModel = {
  name: 'donations',
  collections: [
    {
      name: 'donations',
      indexes: [
        { key: { id: 1 }, options: { unique: true } },
        { key: { 'revolt.revoltId': 1 } },
        { key: { 'donor.userId': 1 } },
        { key: { createdAt: -1 } },
        { key: { status: 1 } },
        { key: { stripePaymentIntentId: 1 } },
      ],
    },
  ],
  async apply(recorded, ctx) {
    const donations = ctx.collection('donations');
    const event = asDomainEvent(recorded);
    const p = event.position;
    switch (event.type) {
      case 'DonationPledged': {
        // The record the API shows, with ObjectId ids and Date times (field order as the seed's documents).
        const { refundedAmount, flagged, createdAt, ...head } = recordFromPledge(event.data);
        await insertOnce(
          donations,
          {
            _id: new ObjectId(head.id),
            ...head,
            donor: { ...head.donor, userId: new ObjectId(head.donor.userId) },
            revolt: { ...head.revolt, revoltId: new ObjectId(head.revolt.revoltId) },
            refundedAmount,
            netAmount: 0,
            flagged,
            createdAt: new Date(createdAt),
          },
          p,
        );
        return;
      }
      case 'DonationCompleted': {
        const d = event.data;
        const set: Document = { status: 'completed', completedAt: new Date(d.completedAt), netAmount: d.amount };
        if (d.stripeChargeId !== undefined) set.stripeChargeId = d.stripeChargeId;
        await updateGuarded(donations, { id: d.donationId }, { $set: set }, p);
        return;
      }
      case 'DonationFailed': {
        const d = event.data;
        const set: Document = { status: 'failed', failedAt: new Date(d.failedAt) };
        if (d.failureCode !== undefined) set.failureCode = d.failureCode;
        await updateGuarded(donations, { id: d.donationId }, { $set: set }, p);
        return;
      }
      case 'DonationRefunded': {
        const d = event.data;
        const set: Document = { refundedAmount: d.refundedTotal, refundedAt: new Date(d.refundedAt) };
        if (d.full) set.status = 'refunded';
        await updateGuarded(donations, { id: d.donationId }, { $set: set, $inc: { netAmount: -d.amount } }, p);
        return;
      }
      case 'DonationPaymentMismatch':
        await updateGuarded(donations, { id: event.data.donationId }, { $set: { flagged: true } }, p);
        return;
      case 'RevoltUpdated': {
        const { name, icon } = event.data.changes;
        const set: Document = {};
        if (name !== undefined) set['revolt.name'] = name;
        if (typeof icon === 'string') set['revolt.icon'] = icon;
        const unset = icon === null ? { $unset: { 'revolt.icon': '' } } : {};
        if (Object.keys(set).length === 0 && icon !== null) return;
        await updateGuarded(donations, { 'revolt.revoltId': new ObjectId(event.data.revoltId) }, { $set: set, ...unset }, p, { many: true });
        return;
      }
      default:
        return;
    }
  },
};
