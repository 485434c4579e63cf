import { z } from 'zod';
import { forbidden, notFound, ruleBroken } from '../errors.ts';
import { requireRevoltPermission, visibleRevolt } from '../permissions/access.ts';
import { acceptsDonations } from '../revolts/rules.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { PledgeInput } from './commands.ts';
import type { DonationState } from './state.ts';

/** Smallest and largest donation, in minor units: 1.00 to 1,000,000.00. */
export const MIN_DONATION = 100;
export const MAX_DONATION = 1_000_000_00;
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Currencies a donation may be made in. All have two-decimal minor units (so "cents" means the same in each,
 * and Stripe's amount is the minor-unit integer); zero-decimal currencies such as JPY are deliberately absent.
 */
export const DONATION_CURRENCIES = ['usd', 'eur', 'gbp', 'cad', 'aud', 'chf', 'nzd', 'sek', 'nok', 'dkk'] as const;
export type DonationCurrency = (typeof DONATION_CURRENCIES)[number];

export const donationAmountSchema = z.number().int().min(MIN_DONATION).max(MAX_DONATION);
/** Case-insensitive on the way in; always lowercase inside (as Stripe uses them). */
export const donationCurrencySchema = z
  .string()
  .transform((c) => c.toLowerCase())
  .pipe(z.enum(DONATION_CURRENCIES));
export const donationMessageSchema = z
  .string()
  .trim()
  .max(MAX_MESSAGE_LENGTH)
  .transform((m) => (m === '' ? undefined : m));

export const isDonationCurrency = (currency: string): currency is DonationCurrency =>
  (DONATION_CURRENCIES as readonly string[]).includes(currency);

/** Stream ids of the module. */
export const donationStream = (donationId: string) => `donation-${donationId}`;

/** Stripe idempotency keys, derived from the donation so that a retried request never charges or refunds twice. */
export const paymentIntentIdempotencyKey = (donationId: string) => `donation-${donationId}-payment-intent`;
export const paymentIntentCancelIdempotencyKey = (donationId: string) => `donation-${donationId}-payment-intent-cancel`;
export const refundIdempotencyKey = (donationId: string, refundedSoFar: number, failedRefunds: number) =>
  `donation-${donationId}-refund-${refundedSoFar}-${failedRefunds}`;

/**
 * Who may pledge to a revolt: any user who can see it (it is public, or they are a member) and is not banned, while
 * it accepts donations.
 */
export function assertCanPledge(revolt: RevoltState, donorId: string, input: PledgeInput): void {
  visibleRevolt(revolt, donorId);
  if (revolt.bans.has(donorId)) throw forbidden('you are banned from this revolt');
  if (!acceptsDonations(revolt.settings)) throw ruleBroken('donations_disabled', 'this revolt does not accept donations');
  if (!Number.isSafeInteger(input.amount) || input.amount < MIN_DONATION || input.amount > MAX_DONATION) {
    throw ruleBroken('amount_out_of_range', `a donation is ${MIN_DONATION} to ${MAX_DONATION} minor units`);
  }
  if (!isDonationCurrency(input.currency)) throw ruleBroken('currency_not_supported', `${input.currency} is not accepted`);
  if (input.message !== undefined && input.message.length > MAX_MESSAGE_LENGTH) {
    throw ruleBroken('message_too_long', `a donation message is at most ${MAX_MESSAGE_LENGTH} characters`);
  }
}

/** A pledge retried with the same Idempotency-Key must ask for the same thing as the donation it recorded. */
export function assertSamePledge(recorded: DonationState, revoltId: string, input: PledgeInput): void {
  const same =
    recorded.revoltId === revoltId &&
    recorded.amount === input.amount &&
    recorded.currency === input.currency &&
    recorded.message === input.message &&
    recorded.isAnonymous === input.isAnonymous;
  if (!same) throw ruleBroken('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
}

/** Whether `actorId` may refund now: the revolt's owner or a holder of MANAGE_DONATIONS, on a completed donation. */
export function assertCanRefund(state: DonationState, revolt: RevoltState, actorId: string): void {
  if (!state.exists) throw notFound('donation');
  requireRevoltPermission(revolt, actorId, 'MANAGE_DONATIONS');
  if (state.status !== 'completed' || refundable(state) <= 0) {
    throw ruleBroken('not_refundable', `a ${state.status} donation cannot be refunded`, { status: state.status });
  }
}

/** What is left to refund: a refund is of everything not refunded yet. */
export const refundable = (state: DonationState) => state.amount - state.refundedAmount;
