import type { DonationEventOf } from '../events.ts';
import type { DonationState } from '../state.ts';

/** What every event that moves money names, so projections apply each one on its own. */
const moneyOf = (state: DonationState) => ({
  donationId: state.donationId,
  revoltId: state.revoltId,
  donorId: state.donorId,
  ownerId: state.ownerId,
  currency: state.currency,
});

/** The refund of what `refundedTotal` adds to what was refunded so far (never beyond the amount); nothing if it adds nothing. */
export function refunded(
  state: DonationState,
  refundedTotal: number,
  at: string,
  ids: { stripeRefundId?: string; stripeChargeId?: string; stripeEventId?: string },
): DonationEventOf<'DonationRefunded'>[] {
  const total = Math.min(refundedTotal, state.amount);
  if (total <= state.refundedAmount) return [];
  return [
    {
      type: 'DonationRefunded',
      data: { ...moneyOf(state), amount: total - state.refundedAmount, refundedTotal: total, full: total >= state.amount, ...ids, refundedAt: at },
    },
  ];
}

/** The donation paid, as the Stripe event in `command` says: `stripeChargeId` only when the charge is known. */
export function completed(
  state: DonationState,
  command: { chargeId?: string | undefined; stripeEventId: string; stripeEventType: string; at: string },
): DonationEventOf<'DonationCompleted'> {
  return {
    type: 'DonationCompleted',
    data: {
      ...moneyOf(state),
      amount: state.amount,
      stripePaymentIntentId: state.paymentIntentId,
      ...(command.chargeId !== undefined && { stripeChargeId: command.chargeId }),
      stripeEventId: command.stripeEventId,
      stripeEventType: command.stripeEventType,
      completedAt: command.at,
    },
  };
}

type MismatchField = DonationEventOf<'DonationPaymentMismatch'>['data']['fields'][number];

/** A mismatch event when what Stripe reports differs from the pledge (fields left undefined are not compared). */
export function mismatch(
  state: DonationState,
  source: string,
  received: { amount?: number; currency?: string; paymentIntentId?: string },
  at: string,
  ids: { stripeEventId?: string; stripeRefundId?: string },
  expectedAmount = state.amount,
  amountField: MismatchField = 'amount',
): DonationEventOf<'DonationPaymentMismatch'>[] {
  const fields: MismatchField[] = [];
  if (received.paymentIntentId !== undefined && received.paymentIntentId !== state.paymentIntentId) fields.push('payment_intent');
  if (received.amount !== undefined && received.amount !== expectedAmount) fields.push(amountField);
  if (received.currency !== undefined && received.currency !== state.currency) fields.push('currency');
  if (fields.length === 0) return [];
  return [
    {
      type: 'DonationPaymentMismatch',
      data: {
        donationId: state.donationId,
        source,
        ...ids,
        fields,
        expected: { amount: expectedAmount, currency: state.currency, paymentIntentId: state.paymentIntentId },
        received,
        detectedAt: at,
      },
    },
  ];
}
