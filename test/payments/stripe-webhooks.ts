import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** Secrets the test servers are configured with: two, as during a rotation. */
export const WEBHOOK_SECRETS = ['whsec_test_old', 'whsec_test_new'] as const;
export const STRIPE_TEST_ENV = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRETS.join(',') };

const stripe = new Stripe('sk_test_123');
const now = () => Math.floor(Date.now() / 1000);
export const eventId = () => `evt_${randomBytes(12).toString('hex')}`;

/** A webhook delivery as Stripe makes it: the JSON body and its Stripe-Signature, from the library's own helper. */
export function signed(event: object, options: { secret?: string; timestamp?: number } = {}) {
  return signedBody(JSON.stringify(event), options);
}

/** Any body, signed correctly: what a delivery would be if its signed bytes were not a Stripe event. */
export function signedBody(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  const signature = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRETS[1],
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return { payload, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } };
}

interface Pledge {
  id: string;
  amount: number;
  currency: string;
  stripePaymentIntentId: string;
  revolt: { revoltId: string };
  donor?: { userId?: string };
}

function envelope(type: string, object: object, id = eventId()) {
  return { id, object: 'event', api_version: '2026-10-28.endive', created: now(), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
}

export function paymentIntentEvent(
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  donation: Pledge,
  over: { amount?: number; currency?: string; id?: string; metadata?: Record<string, string>; eventId?: string } = {},
) {
  const amount = over.amount ?? donation.amount;
  const succeeded = type === 'payment_intent.succeeded';
  return envelope(
    type,
    {
      id: over.id ?? donation.stripePaymentIntentId,
      object: 'payment_intent',
      amount,
      amount_received: succeeded ? amount : 0,
      currency: over.currency ?? donation.currency,
      status: succeeded ? 'succeeded' : 'requires_payment_method',
      latest_charge: succeeded ? `ch_${donation.id}` : null,
      metadata: over.metadata ?? { donationId: donation.id, revoltId: donation.revolt.revoltId },
      last_payment_error: succeeded ? null : { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    },
    over.eventId,
  );
}

/** charge.refunded; by default without our metadata, so the donation is found through its payment intent. */
export function chargeRefundedEvent(donation: Pledge, over: { amountRefunded?: number; metadata?: Record<string, string>; eventId?: string } = {}) {
  const refunded = over.amountRefunded ?? donation.amount;
  return envelope(
    'charge.refunded',
    {
      id: `ch_${donation.id}`,
      object: 'charge',
      amount: donation.amount,
      amount_captured: donation.amount,
      amount_refunded: refunded,
      refunded: refunded === donation.amount,
      currency: donation.currency,
      payment_intent: donation.stripePaymentIntentId,
      status: 'succeeded',
      paid: true,
      metadata: over.metadata ?? {},
    },
    over.eventId,
  );
}

export function otherEvent(type: string) {
  return envelope(type, { id: 'cus_123', object: 'customer' });
}
