import type { DonationCommandOf } from '../commands.ts';
import type { DonationEvent, DonationEventOf } from '../events.ts';
import { assertCanRefund } from '../rules.ts';
import type { DonationState } from '../state.ts';
import { completed, mismatch, refunded } from './money.ts';

/** charge.refunded: Stripe's cumulative refunded amount; what it adds comes off. It completes a donation it overtook. */
export function recordChargeRefund(command: DonationCommandOf<'RecordChargeRefund'>, state: DonationState): DonationEvent[] {
  if (state.stripeEventIds.has(command.stripeEventId)) return [];
  const ids = { stripeEventId: command.stripeEventId };
  const received = { amount: command.chargeAmount, currency: command.currency, paymentIntentId: command.paymentIntentId ?? '' };
  const wrong = mismatch(state, command.stripeEventType, received, command.at, ids);
  if (wrong.length > 0) return wrong;
  if (command.amountRefunded > command.chargeAmount) {
    return mismatch(state, command.stripeEventType, { amount: command.amountRefunded }, command.at, ids, command.chargeAmount, 'refund_amount');
  }
  if (command.amountRefunded <= 0 || state.status === 'refunded') return [];
  const refund = { stripeChargeId: command.chargeId, stripeEventId: command.stripeEventId };
  if (state.status === 'completed') return refunded(state, command.amountRefunded, command.at, refund);
  // The refund overtook payment_intent.succeeded: a refunded charge was a paid one, so it completes first.
  return [completed(state, command), ...refunded({ ...state, status: 'completed' }, command.amountRefunded, command.at, refund)];
}

export function requestRefund(command: DonationCommandOf<'RequestRefund'>, state: DonationState): DonationEvent[] {
  assertCanRefund(state, command.revolt, command.actorId);
  return [];
}

/**
 * What Stripe answered a refund: requested, then refunded (succeeded), failed (failed/canceled) or nothing yet
 * (pending: charge.refunded will tell when the money is back). Once per Stripe refund.
 */
export function recordRefund(command: DonationCommandOf<'RecordRefund'>, state: DonationState): DonationEvent[] {
  const { refund } = command;
  if (state.refundIds.includes(refund.id)) return [];
  const requested: DonationEventOf<'DonationRefundRequested'> = {
    type: 'DonationRefundRequested',
    data: {
      donationId: state.donationId,
      requestedBy: command.actorId,
      amount: command.requestedAmount,
      stripeRefundId: refund.id,
      stripeRefundStatus: refund.status,
      stripeRefundAmount: refund.amount,
      stripeRefundCurrency: refund.currency,
      requestedAt: command.at,
    },
  };
  if (refund.status === 'failed' || refund.status === 'canceled') {
    return [requested, { type: 'DonationRefundFailed', data: { donationId: state.donationId, stripeRefundId: refund.id, stripeRefundStatus: refund.status, failedAt: command.at } }];
  }
  if (refund.status !== 'succeeded') return [requested];
  const ids = { stripeRefundId: refund.id };
  const received = { amount: refund.amount, currency: refund.currency };
  const wrong = mismatch(state, 'refund', received, command.at, ids, command.requestedAmount, 'refund_amount');
  if (wrong.length > 0) return [requested, ...wrong];
  return [requested, ...refunded(state, state.refundedAmount + refund.amount, command.at, ids)];
}
