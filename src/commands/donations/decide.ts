import type { Decider } from '../decider.ts';
import { conflict, forbidden, notFound, ruleBroken } from '../errors.ts';
import { requireRevoltPermission, visibleRevolt } from '../revolts/authority.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { DonationEvent, DonationEventOf } from './events.ts';
import { isDonationCurrency, MAX_DONATION, MAX_MESSAGE_LENGTH, MIN_DONATION } from './rules.ts';

export type DonationStatus = 'pending' | 'completed' | 'failed' | 'refunded';

export interface DonationState {
  exists: boolean;
  donationId: string;
  revoltId: string;
  donorId: string;
  ownerId: string;
  amount: number;
  currency: string;
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
  paymentIntentId: '',
  status: 'pending',
  refundedAmount: 0,
  refundIds: [],
  failedRefunds: 0,
  stripeEventIds: new Set(),
  flagged: false,
};

export interface DonorFacts {
  userId: string;
  email: string;
  name: string;
}

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

export type DonationCommand =
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

/**
 * A pledge retried with the same Idempotency-Key must ask for the same thing; `recorded` is the first one's
 * DonationPledged data.
 */
export function assertSamePledge(recorded: { revoltId: string; amount: number; currency: string; message?: string; isAnonymous: boolean }, revoltId: string, input: PledgeInput): void {
  const same =
    recorded.revoltId === revoltId &&
    recorded.amount === input.amount &&
    recorded.currency === input.currency &&
    recorded.message === input.message &&
    recorded.isAnonymous === input.isAnonymous;
  if (!same) throw ruleBroken('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
}

/** Who may pledge to a revolt: any user who can see it (it is public, or they are a member) and is not banned. */
export function assertCanPledge(revolt: RevoltState, donorId: string, input: PledgeInput): void {
  visibleRevolt(revolt, donorId);
  if (revolt.bans.has(donorId)) throw forbidden('you are banned from this revolt');
  if (!Number.isSafeInteger(input.amount) || input.amount < MIN_DONATION || input.amount > MAX_DONATION) {
    throw ruleBroken('amount_out_of_range', `a donation is ${MIN_DONATION} to ${MAX_DONATION} minor units`);
  }
  if (!isDonationCurrency(input.currency)) throw ruleBroken('currency_not_supported', `${input.currency} is not accepted`);
  if (input.message !== undefined && input.message.length > MAX_MESSAGE_LENGTH) {
    throw ruleBroken('message_too_long', `a donation message is at most ${MAX_MESSAGE_LENGTH} characters`);
  }
}

/** How much `actorId` may refund now: the revolt's owner or a holder of MANAGE_DONATIONS, on a completed donation. */
export function assertCanRefund(state: DonationState, revolt: RevoltState, actorId: string): number {
  if (!state.exists) throw notFound('donation');
  requireRevoltPermission(revolt, actorId, 'MANAGE_DONATIONS');
  if (state.status !== 'completed' || state.refundedAmount >= state.amount) {
    throw ruleBroken('not_refundable', `a ${state.status} donation cannot be refunded`, { status: state.status });
  }
  return state.amount - state.refundedAmount;
}

const moneyOf = (state: DonationState) => ({
  donationId: state.donationId,
  revoltId: state.revoltId,
  donorId: state.donorId,
  ownerId: state.ownerId,
  currency: state.currency,
});

function refunded(
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
function completed(
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
function mismatch(
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

function decide(command: DonationCommand, state: DonationState): DonationEvent[] {
  if (command.type === 'Pledge') {
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
  if (!state.exists) throw notFound('donation');
  switch (command.type) {
    case 'ConfirmPayment': {
      if (state.stripeEventIds.has(command.stripeEventId)) return [];
      const ids = { stripeEventId: command.stripeEventId };
      const received = { amount: command.amount, currency: command.currency, paymentIntentId: command.paymentIntentId };
      const wrong = mismatch(state, command.stripeEventType, received, command.at, ids);
      if (wrong.length > 0) return wrong;
      if (state.status !== 'pending' && state.status !== 'failed') return [];
      return [completed(state, command)];
    }
    case 'FailPayment': {
      if (state.stripeEventIds.has(command.stripeEventId)) return [];
      const wrong = mismatch(state, 'payment_intent.payment_failed', { paymentIntentId: command.paymentIntentId }, command.at, {
        stripeEventId: command.stripeEventId,
      });
      if (wrong.length > 0) return wrong;
      // A failure that arrives after the donation settled is an earlier attempt's: it changes nothing.
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
    case 'RecordChargeRefund': {
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
    case 'RequestRefund':
      assertCanRefund(state, command.revolt, command.actorId);
      return [];
    case 'RecordRefund': {
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
      // pending / requires_action: charge.refunded will tell when the money is back.
      if (refund.status !== 'succeeded') return [requested];
      const ids = { stripeRefundId: refund.id };
      const received = { amount: refund.amount, currency: refund.currency };
      const wrong = mismatch(state, 'refund', received, command.at, ids, command.requestedAmount, 'refund_amount');
      if (wrong.length > 0) return [requested, ...wrong];
      return [requested, ...refunded(state, state.refundedAmount + refund.amount, command.at, ids)];
    }
  }
}

function evolve(state: DonationState, event: DonationEvent): DonationState {
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

/** One donation's stream: pledged, then settled by Stripe's webhooks and refunds. */
export const donationDecider: Decider<DonationCommand, DonationState, DonationEvent> = {
  initialState: initialDonationState,
  evolve,
  decide,
};
