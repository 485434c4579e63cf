import type { EventStore } from '../../events/store/port.ts';
import { idSchema, newId } from '../../events/ids.ts';
import { AppError } from '../errors.ts';
import type { CommandContext, CommandHandler } from '../handler.ts';
import { reservationDecider, reservationStream } from '../reservations/reservation.ts';
import { sealHashChain } from './chain.ts';
import { donationDecider, type DonationCommand } from './decide.ts';
import type { DonationEventOf } from './events.ts';
import { donationStream } from './rules.ts';

/** Every command on a donation goes through here, so every event of a donation stream is hash-chained. */
export function executeOnDonation(commands: CommandHandler, donationId: string, command: DonationCommand, context: CommandContext) {
  return commands.execute(donationStream(donationId), donationDecider, command, context, { seal: sealHashChain });
}

export async function loadDonation(commands: CommandHandler, donationId: string) {
  return (await commands.load(donationStream(donationId), donationDecider)).state;
}

/** The pledge event of a donation (revision 0 of its stream), or null. */
export async function pledgeOf(store: EventStore, donationId: string): Promise<DonationEventOf<'DonationPledged'>['data'] | null> {
  const [first] = await store.readStream(donationStream(donationId), { maxCount: 1 });
  return first?.type === 'DonationPledged' ? (first.data as DonationEventOf<'DonationPledged'>['data']) : null;
}

/**
 * Claims a value for `ownerId` in a reservation stream, or returns whoever holds it already. Used for the
 * payment intent → donation index and for the Idempotency-Key → donation id index below.
 */
async function claimOrGet(commands: CommandHandler, kind: string, value: string, ownerId: string, context: CommandContext): Promise<string> {
  const stream = reservationStream(kind, value);
  const { state } = await commands.load(stream, reservationDecider);
  if (state.ownerId) return state.ownerId;
  try {
    await commands.execute(stream, reservationDecider, { type: 'Claim', kind, ownerId, at: new Date().toISOString() }, context, {
      expected: 'no_stream',
    });
    return ownerId;
  } catch (error) {
    if (!(error instanceof AppError && error.status === 409)) throw error;
    const { state: now } = await commands.load(stream, reservationDecider);
    if (!now.ownerId) throw error;
    return now.ownerId;
  }
}

const PAYMENT_INTENT = 'stripe_payment_intent';

/** Indexes a payment intent to its donation: the webhook's fallback when an object lacks our metadata. */
export async function indexPaymentIntent(commands: CommandHandler, paymentIntentId: string, donationId: string, context: CommandContext) {
  const holder = await claimOrGet(commands, PAYMENT_INTENT, paymentIntentId, donationId, context);
  if (holder !== donationId) throw new AppError(502, 'payment_provider_error', 'Stripe returned a payment intent that belongs to another donation');
}

export async function donationOfPaymentIntent(commands: CommandHandler, paymentIntentId: string): Promise<string | null> {
  const { state } = await commands.load(reservationStream(PAYMENT_INTENT, paymentIntentId), reservationDecider);
  return state.ownerId;
}

/**
 * What a donor's Idempotency-Key reserves. Keys are case-sensitive but reservations fold case (they were made for
 * names and emails), so the key goes in as hex: "Abc" and "abc" are two pledges.
 */
export const pledgeKey = (donorId: string, idempotencyKey: string) => `${donorId}\n${Buffer.from(idempotencyKey).toString('hex')}`;

/**
 * The id of a new donation. With an `Idempotency-Key`, the id is fixed by the first attempt (an index stream per
 * donor and key), so a retry after a failure between Stripe's answer and our append reuses it, and with it the
 * Stripe idempotency key: Stripe hands back the same payment intent instead of creating a second one.
 */
export async function donationIdFor(commands: CommandHandler, donorId: string, idempotencyKey: string | undefined, context: CommandContext) {
  const fresh = newId();
  if (idempotencyKey === undefined) return fresh;
  const id = await claimOrGet(commands, 'donation_pledge', pledgeKey(donorId, idempotencyKey), fresh, context);
  return idSchema.parse(id);
}
