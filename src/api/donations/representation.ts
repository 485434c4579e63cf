import { z } from 'zod';
import { timestamp } from '../schemas/fields.ts';

const statusSchema = z.enum(['pending', 'completed', 'failed', 'refunded']);
const PRIVILEGED = 'only to the donor and auditors';

/**
 * A donation as the lists show it to their reader: the donor and auditors see everything; others never see the
 * donor's email, the Stripe ids or the review flag, and nothing of an anonymous donor but the flag.
 */
export const donationSchema = z
  .object({
    id: z.string(),
    amount: z.number().int().describe('minor units'),
    currency: z.string(),
    donor: z.object({
      userId: z.string().optional(),
      email: z.string().optional().describe(PRIVILEGED),
      name: z.string().optional(),
      isAnonymous: z.boolean(),
    }),
    revolt: z.object({ revoltId: z.string(), name: z.string(), icon: z.string().optional() }),
    message: z.string().optional(),
    isAnonymous: z.boolean(),
    status: statusSchema,
    stripePaymentIntentId: z.string().optional().describe(PRIVILEGED),
    refundedAmount: z.number().int(),
    flagged: z.boolean().optional().describe(`whether Stripe ever disagreed with the pledge; ${PRIVILEGED}`),
    createdAt: timestamp,
    completedAt: timestamp.optional(),
  })
  .meta({ id: 'Donation' });

/** A pledge: the donation as its donor sees it, and the client secret to confirm the payment with. */
export const pledgedSchema = z.object({ donation: donationSchema, clientSecret: z.string() });

/** A refund as recorded: the donation as the lists then show it to the caller, and Stripe's refund. */
export const refundedSchema = z.object({
  donation: donationSchema,
  refund: z.object({ id: z.string(), status: z.string(), amount: z.number().int(), currency: z.string() }),
});

const figures = { total: z.number().int(), count: z.number().int(), average: z.number().int() };
/** Completed money net of refunds, in minor units; `byCurrency` has the exact figures per currency. */
export const donationStatsSchema = z.object({ ...figures, currency: z.string().optional(), byCurrency: z.record(z.string(), z.object(figures)) });

/** What the Stripe webhook answers Stripe. */
export const webhookReceiptSchema = z.object({
  received: z.literal(true),
  ignored: z.literal(true).optional(),
  duplicate: z.literal(true).optional(),
  outcome: z.enum(['applied', 'no_change', 'mismatch', 'unmatched']).optional(),
  donationId: z.string().optional(),
});
