import type { DonationCommandOf } from '../commands.ts';
import type { DonationEvent } from '../events.ts';
import type { DonationState } from '../state.ts';
import { completed, mismatch } from './money.ts';

/** payment_intent.succeeded: completes a pending (or declined) donation once; a mismatch is flagged, never accepted. */
export function confirmPayment(command: DonationCommandOf<'ConfirmPayment'>, state: DonationState): DonationEvent[] {
  if (state.stripeEventIds.has(command.stripeEventId)) return [];
  const ids = { stripeEventId: command.stripeEventId };
  const received = { amount: command.amount, currency: command.currency, paymentIntentId: command.paymentIntentId };
  const wrong = mismatch(state, command.stripeEventType, received, command.at, ids);
  if (wrong.length > 0) return wrong;
  if (state.status !== 'pending' && state.status !== 'failed') return [];
  return [completed(state, command)];
}

/** payment_intent.payment_failed: a declined card, unless the donation settled already (an earlier attempt's failure). */
export function failPayment(command: DonationCommandOf<'FailPayment'>, state: DonationState): DonationEvent[] {
  if (state.stripeEventIds.has(command.stripeEventId)) return [];
  const wrong = mismatch(state, 'payment_intent.payment_failed', { paymentIntentId: command.paymentIntentId }, command.at, {
    stripeEventId: command.stripeEventId,
  });
  if (wrong.length > 0) return wrong;
  if (state.status !== 'pending' && state.status !== 'failed') return [];
  return [
    {
      type: 'DonationFailed',
      data: {
        donationId: state.donationId,
        stripePaymentIntentId: state.paymentIntentId,
        stripeEventId: command.stripeEventId,
        ...(command.failureCode !== undefined && { failureCode: command.failureCode }),
        ...(command.failureMessage !== undefined && { failureMessage: command.failureMessage }),
        failedAt: command.at,
      },
    },
  ];
}
