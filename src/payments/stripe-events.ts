import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Decider } from '../commands/decider.ts';
import { isoDate } from '../events/ids.ts';

/**
 * Each Stripe event id has a stream of its own (`stripe-event-<id>`), written once with expected revision
 * `no_stream` after the event has been applied: a redelivery finds it and changes nothing, and of two
 * concurrent deliveries exactly one records it (the donation decider ignores an event id it has already
 * applied, so the other's work is a no-op too). Recording after applying means a crash in between makes
 * Stripe's retry apply it again, harmlessly, rather than lose it.
 */
const WEBHOOK_OUTCOMES = ['applied', 'no_change', 'mismatch', 'unmatched'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const stripeEventSchemas = {
  StripeEventRecorded: z.object({
    stripeEventId: z.string(),
    type: z.string(),
    livemode: z.boolean(),
    /** When Stripe created the event. */
    stripeCreatedAt: isoDate,
    /** The payment intent or charge it is about. */
    objectId: z.string().optional(),
    donationId: z.string().optional(),
    /** sha256 of the raw body Stripe signed. */
    payloadSha256: z.string(),
    outcome: z.enum(WEBHOOK_OUTCOMES),
    receivedAt: isoDate,
  }),
} as const;

type StripeEventRecordedData = z.infer<typeof stripeEventSchemas.StripeEventRecorded>;
export type StripeEventEvent = { type: 'StripeEventRecorded'; data: StripeEventRecordedData };

export interface StripeEventState {
  recorded: StripeEventRecordedData | null;
}

export const stripeEventDecider: Decider<{ type: 'Record'; data: StripeEventRecordedData }, StripeEventState, StripeEventEvent> = {
  initialState: { recorded: null },
  evolve: (_state, event) => ({ recorded: event.data }),
  decide: (command, state) => (state.recorded ? [] : [{ type: 'StripeEventRecorded', data: command.data }]),
};

/** Stripe event ids are `evt_` and letters/digits; anything else is hashed so stream ids stay tame. */
export function stripeEventStream(stripeEventId: string): string {
  if (/^evt_[A-Za-z0-9]{1,200}$/.test(stripeEventId)) return `stripe-event-${stripeEventId}`;
  return `stripe-event-h${createHash('sha256').update(stripeEventId).digest('hex').slice(0, 40)}`;
}
