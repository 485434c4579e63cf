import { conflict } from '../../errors.ts';
import type { DonationCommandOf } from '../commands.ts';
import type { DonationEvent } from '../events.ts';
import { assertCanPledge, assertSamePledge } from '../rules.ts';
import type { DonationState } from '../state.ts';

/** Before the payment intent is made: may the donor pledge this, or, recorded already, is it the same pledge again. */
export function requestPledge(command: DonationCommandOf<'RequestPledge'>, state: DonationState): DonationEvent[] {
  if (state.exists) assertSamePledge(state, command.revolt.revoltId, command);
  else assertCanPledge(command.revolt, command.donorId, command);
  return [];
}

/** The pledge, with the payment intent Stripe made for it; the same one again changes nothing. */
export function pledge(command: DonationCommandOf<'Pledge'>, state: DonationState): DonationEvent[] {
  if (state.exists) {
    if (state.paymentIntentId === command.stripePaymentIntentId) return [];
    throw conflict('already_exists', 'this donation already exists');
  }
  const { revolt, donor } = command;
  assertCanPledge(revolt, donor.userId, command);
  return [
    {
      type: 'DonationPledged',
      data: {
        donationId: command.donationId,
        revoltId: revolt.revoltId,
        revoltName: revolt.name,
        ...(command.revoltIcon !== undefined && { revoltIcon: command.revoltIcon }),
        ownerId: revolt.ownerId,
        donorId: donor.userId,
        donorEmail: donor.email,
        donorName: donor.name,
        amount: command.amount,
        currency: command.currency,
        ...(command.message !== undefined && { message: command.message }),
        isAnonymous: command.isAnonymous,
        stripePaymentIntentId: command.stripePaymentIntentId,
        pledgedAt: command.at,
      },
    },
  ];
}
