import type { Decider } from '../decider.ts';
import { notFound } from '../errors.ts';
import type { DonationCommand } from './commands.ts';
import { confirmPayment, failPayment } from './decide/payment.ts';
import { pledge, requestPledge } from './decide/pledge.ts';
import { recordChargeRefund, recordRefund, requestRefund } from './decide/refund.ts';
import type { DonationEvent } from './events.ts';
import { evolveDonation, initialDonationState, type DonationState } from './state.ts';

export type { DonationCommand, DonorFacts, PledgeInput, StripeRefundFacts } from './commands.ts';
export type { DonationState, DonationStatus } from './state.ts';

/** One donation's stream: pledged, then settled by Stripe's webhooks and refunds. */
export const donationDecider: Decider<DonationCommand, DonationState, DonationEvent> = {
  initialState: initialDonationState,
  evolve: evolveDonation,
  decide(command, state) {
    switch (command.type) {
      case 'RequestPledge':
        return requestPledge(command, state);
      case 'Pledge':
        return pledge(command, state);
    }
    if (!state.exists) throw notFound('donation');
    switch (command.type) {
      case 'ConfirmPayment':
        return confirmPayment(command, state);
      case 'FailPayment':
        return failPayment(command, state);
      case 'RecordChargeRefund':
        return recordChargeRefund(command, state);
      case 'RequestRefund':
        return requestRefund(command, state);
      case 'RecordRefund':
        return recordRefund(command, state);
    }
  },
};
