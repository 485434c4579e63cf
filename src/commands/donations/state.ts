import type { DonationEvent } from './events.ts';

export type DonationStatus = 'pending' | 'completed' | 'failed' | 'refunded';

export interface DonationState {
  exists: boolean;
  donationId: string;
  revoltId: string;
  donorId: string;
  ownerId: string;
  amount: number;
  currency: string;
  /** What the donor asked for besides the money: a retried pledge must ask for the same. */
  message?: string;
  isAnonymous: boolean;
  paymentIntentId: string;
  /**
   * pending ─succeeded─▶ completed ─refund (in full)─▶ refunded
   *    │  ▲                  ▲
   * failed ─succeeded────────┘      (a declined card may be followed by a successful one)
   * A charge.refunded that overtakes payment_intent.succeeded completes and refunds at once; late
   * succeeded/failed events for a settled donation change nothing.
   */
  status: DonationStatus;
  refundedAmount: number;
  /** Stripe refunds already recorded (so a refund answered twice is recorded once). */
  refundIds: readonly string[];
  failedRefunds: number;
  /** Stripe events already applied. */
  stripeEventIds: ReadonlySet<string>;
  /** A webhook or refund disagreed with the pledge (see DonationPaymentMismatch). */
  flagged: boolean;
}

export const initialDonationState: DonationState = {
  exists: false,
  donationId: '',
  revoltId: '',
  donorId: '',
  ownerId: '',
  amount: 0,
  currency: '',
  isAnonymous: false,
  paymentIntentId: '',
  status: 'pending',
  refundedAmount: 0,
  refundIds: [],
  failedRefunds: 0,
  stripeEventIds: new Set(),
  flagged: false,
};

export function evolveDonation(state: DonationState, event: DonationEvent): DonationState {
  const seen = (id: string | undefined) => (id === undefined || state.stripeEventIds.has(id) ? state.stripeEventIds : new Set(state.stripeEventIds).add(id));
  switch (event.type) {
    case 'DonationPledged': {
      const d = event.data;
      return {
        ...initialDonationState,
        exists: true,
        donationId: d.donationId,
        revoltId: d.revoltId,
        donorId: d.donorId,
        ownerId: d.ownerId,
        amount: d.amount,
        currency: d.currency,
        ...(d.message !== undefined && { message: d.message }),
        isAnonymous: d.isAnonymous,
        paymentIntentId: d.stripePaymentIntentId,
      };
    }
    case 'DonationCompleted':
      return { ...state, status: 'completed', stripeEventIds: seen(event.data.stripeEventId) };
    case 'DonationFailed':
      return { ...state, status: 'failed', stripeEventIds: seen(event.data.stripeEventId) };
    case 'DonationRefundRequested':
      return { ...state, refundIds: [...state.refundIds, event.data.stripeRefundId] };
    case 'DonationRefundFailed':
      return { ...state, failedRefunds: state.failedRefunds + 1 };
    case 'DonationRefunded':
      return {
        ...state,
        refundedAmount: event.data.refundedTotal,
        status: event.data.full ? 'refunded' : state.status,
        stripeEventIds: seen(event.data.stripeEventId),
      };
    case 'DonationPaymentMismatch':
      return { ...state, flagged: true, stripeEventIds: seen(event.data.stripeEventId) };
  }
}
