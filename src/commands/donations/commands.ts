import type { RevoltState } from '../revolts/state.ts';

export interface DonorFacts {
  userId: string;
  email: string;
  name: string;
}

/** What a donor asks for (validated by the route's zod schema, then by the rules). */
export interface PledgeInput {
  amount: number;
  currency: string;
  message?: string;
  isAnonymous: boolean;
}

/** A refund as Stripe answered it. */
export interface StripeRefundFacts {
  id: string;
  status: string;
  amount: number;
  currency: string;
}

/**
 * A donation's commands. Those that precede a call to Stripe (RequestPledge, RequestRefund) decide whether it may
 * be made and append nothing; those that follow it record what Stripe answered (Pledge, RecordRefund) or what its
 * webhooks say (ConfirmPayment, FailPayment, RecordChargeRefund).
 */
export type DonationCommand =
  /** Checks that `donorId` may pledge this to the revolt; on a donation recorded already, that a retry asks for the same. */
  | (PledgeInput & { type: 'RequestPledge'; revolt: RevoltState; donorId: string; at: string })
  | (PledgeInput & {
      type: 'Pledge';
      donationId: string;
      /** The revolt as loaded by the handler: visibility and bans are checked against it. */
      revolt: RevoltState;
      revoltIcon?: string;
      donor: DonorFacts;
      stripePaymentIntentId: string;
      at: string;
    })
  | {
      type: 'ConfirmPayment';
      stripeEventId: string;
      stripeEventType: string;
      paymentIntentId: string;
      amount: number;
      currency: string;
      chargeId?: string;
      at: string;
    }
  | {
      type: 'FailPayment';
      stripeEventId: string;
      paymentIntentId: string;
      failureCode?: string;
      failureMessage?: string;
      at: string;
    }
  | {
      type: 'RecordChargeRefund';
      stripeEventId: string;
      stripeEventType: string;
      paymentIntentId: string | undefined;
      chargeId: string;
      chargeAmount: number;
      /** Stripe's cumulative amount refunded on the charge. */
      amountRefunded: number;
      currency: string;
      at: string;
    }
  /** Checks that `actorId` may refund now; decides nothing (the refund is recorded once Stripe has answered). */
  | { type: 'RequestRefund'; revolt: RevoltState; actorId: string; at: string }
  | { type: 'RecordRefund'; actorId: string; requestedAmount: number; refund: StripeRefundFacts; at: string };

export type DonationCommandOf<T extends DonationCommand['type']> = Extract<DonationCommand, { type: T }>;
