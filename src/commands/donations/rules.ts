import { z } from 'zod';

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
