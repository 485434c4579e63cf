import type { EventStore } from '../../events/store/port.ts';
import { idSchema } from '../../events/ids.ts';
import { AppError } from '../errors.ts';
import type { CommandContext, CommandHandler } from '../handler.ts';
import { idFor } from '../request-ids.ts';
import { releaseClaim, reservationDecider, reservationStream } from '../reservations/reservation.ts';
import { sealHashChain } from './chain.ts';
import { donationDecider, type DonationCommand } from './decide.ts';
import type { DonationEventOf } from './events.ts';
import { donationStream, paymentIntentCancelIdempotencyKey } from './rules.ts';

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
    // No `expected: 'no_stream'`: a value released by an abandoned pledge can be claimed again.
    await commands.execute(stream, reservationDecider, { type: 'Claim', kind, ownerId, at: new Date().toISOString() }, context);
    return ownerId;
  } catch (error) {
    if (!(error instanceof AppError && error.status === 409)) throw error;
    const { state: now } = await commands.load(stream, reservationDecider);
    if (!now.ownerId) throw error;
    return now.ownerId;
  }
}

const PAYMENT_INTENT = 'stripe_payment_intent';
const PLEDGE_KEY = 'donation_pledge';

/** Indexes a payment intent to its donation: the webhook's fallback when an object lacks our metadata. */
export async function indexPaymentIntent(commands: CommandHandler, paymentIntentId: string, donationId: string, context: CommandContext) {
  const holder = await claimOrGet(commands, PAYMENT_INTENT, paymentIntentId, donationId, context);
  if (holder !== donationId) throw new AppError('payment_provider_error', 'Stripe returned a payment intent that belongs to another donation');
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
  const fresh = idFor(context);
  if (idempotencyKey === undefined) return fresh;
  const id = await claimOrGet(commands, PLEDGE_KEY, pledgeKey(donorId, idempotencyKey), fresh, context);
  return idSchema.parse(id);
}

export interface UnrecordedPledge {
  donationId: string;
  donorId: string;
  idempotencyKey: string | undefined;
  paymentIntentId: string;
}

/**
 * Undoes what a pledge left behind when a step after Stripe's answer failed and its DonationPledged was not
 * recorded: the payment intent is cancelled at Stripe (unless it is indexed to another donation, which Stripe
 * must never have returned), and the intent's index entry and the Idempotency-Key's donation id are released, so a
 * retry starts afresh. A pledge recorded after all (the failure came after the append) is left as it is.
 */
export async function abandonPledge(
  commands: CommandHandler,
  store: EventStore,
  stripe: { cancelPaymentIntent(id: string, idempotencyKey: string): Promise<void> },
  pledge: UnrecordedPledge,
  context: CommandContext,
): Promise<void> {
  const { donationId, donorId, idempotencyKey, paymentIntentId } = pledge;
  if (await pledgeOf(store, donationId)) return;
  const indexedTo = await donationOfPaymentIntent(commands, paymentIntentId);
  if (indexedTo === null || indexedTo === donationId) {
    await stripe.cancelPaymentIntent(paymentIntentId, paymentIntentCancelIdempotencyKey(donationId));
    await releaseClaim(commands, PAYMENT_INTENT, paymentIntentId, donationId, context);
  }
  if (idempotencyKey !== undefined) await releaseClaim(commands, PLEDGE_KEY, pledgeKey(donorId, idempotencyKey), donationId, context);
}
