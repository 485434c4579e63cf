import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';
import type { EventsOf } from '../../events/catalogue.ts';

/**
 * Events of a donation's stream (`donation-<id>`), hash-chained (see chain.ts). Amounts are integer minor units
 * (cents) of `currency`. Every event that moves money (Completed, Refunded) names the revolt, the donor and the
 * owner credited with it, so projections apply each one on its own, without state.
 */
const cents = z.number().int().nonnegative();
const currency = z.string().regex(/^[a-z]{3}$/);
const stripeEventId = z.string().min(1);
const money = { revoltId: idSchema, donorId: idSchema, ownerId: idSchema, currency };

export const donationEventSchemas = {
  DonationPledged: z.object({
    donationId: idSchema,
    revoltId: idSchema,
    revoltName: z.string(),
    revoltIcon: z.string().optional(),
    /** The revolt's owner when the pledge was made: the user whose `totalRaised` this donation counts towards. */
    ownerId: idSchema,
    donorId: idSchema,
    /** The donor's email and name as they were at the time of the pledge (the receipt's details). */
    donorEmail: z.string(),
    donorName: z.string(),
    amount: cents.min(1),
    currency,
    message: z.string().optional(),
    isAnonymous: z.boolean(),
    stripePaymentIntentId: z.string().min(1),
    pledgedAt: isoDate,
  }),
  DonationCompleted: z.object({
    donationId: idSchema,
    ...money,
    amount: cents,
    stripePaymentIntentId: z.string(),
    stripeChargeId: z.string().optional(),
    /** The Stripe event that settled it (payment_intent.succeeded, or charge.refunded arriving first). */
    stripeEventId,
    stripeEventType: z.string(),
    completedAt: isoDate,
  }),
  DonationFailed: z.object({
    donationId: idSchema,
    stripePaymentIntentId: z.string(),
    stripeEventId,
    failureCode: z.string().optional(),
    failureMessage: z.string().optional(),
    failedAt: isoDate,
  }),
  DonationRefundRequested: z.object({
    donationId: idSchema,
    requestedBy: idSchema,
    /** What was asked of Stripe. */
    amount: cents,
    stripeRefundId: z.string(),
    /** Stripe's answer: succeeded, pending, requires_action, failed or canceled. */
    stripeRefundStatus: z.string(),
    stripeRefundAmount: cents,
    stripeRefundCurrency: z.string(),
    requestedAt: isoDate,
  }),
  DonationRefundFailed: z.object({
    donationId: idSchema,
    stripeRefundId: z.string(),
    stripeRefundStatus: z.string(),
    failedAt: isoDate,
  }),
  DonationRefunded: z.object({
    donationId: idSchema,
    ...money,
    /** Money returned by this event (what comes off the totals). */
    amount: cents.min(1),
    /** Everything refunded so far, this event included. */
    refundedTotal: cents,
    /** Whether the donation is now refunded in full. */
    full: z.boolean(),
    stripeRefundId: z.string().optional(),
    stripeChargeId: z.string().optional(),
    stripeEventId: stripeEventId.optional(),
    refundedAt: isoDate,
  }),
  /** Stripe reported something that disagrees with the pledge; nothing was applied, the donation is flagged. */
  DonationPaymentMismatch: z.object({
    donationId: idSchema,
    source: z.string(),
    stripeEventId: stripeEventId.optional(),
    stripeRefundId: z.string().optional(),
    fields: z.array(z.enum(['amount', 'currency', 'payment_intent', 'refund_amount'])).min(1),
    expected: z.object({ amount: cents, currency: z.string(), paymentIntentId: z.string() }),
    received: z.object({ amount: cents.optional(), currency: z.string().optional(), paymentIntentId: z.string().optional() }),
    detectedAt: isoDate,
  }),
} as const;

type Schemas = typeof donationEventSchemas;
type EventOf<K extends keyof Schemas> = EventsOf<Schemas, K>;
export type DonationEvent =
  | EventOf<'DonationPledged'>
  | EventOf<'DonationCompleted'>
  | EventOf<'DonationFailed'>
  | EventOf<'DonationRefundRequested'>
  | EventOf<'DonationRefundFailed'>
  | EventOf<'DonationRefunded'>
  | EventOf<'DonationPaymentMismatch'>;
export type DonationEventOf<K extends DonationEvent['type']> = Extract<DonationEvent, { type: K }>;
