import { ChainVerifier } from '../../commands/donations/chain.ts';
import { donationStream } from '../../commands/donations/rules.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../events/store/port.ts';
import { stripeEventStream } from '../../payments/stripe-events.ts';

const STRIPE_ID_FIELDS = {
  stripePaymentIntentId: 'paymentIntentId',
  stripeChargeId: 'chargeId',
  stripeRefundId: 'refundId',
  stripeEventId: 'eventId',
} as const;

/** The Stripe ids an event names (payment intent, charge, refund, Stripe event). */
function stripeIdsOf(event: RecordedEvent): Record<string, string> {
  const data = event.data as Record<string, unknown>;
  const ids: Record<string, string> = {};
  for (const [field, name] of Object.entries(STRIPE_ID_FIELDS)) {
    if (typeof data[field] === 'string') ids[name] = data[field];
  }
  return ids;
}

/**
 * The full trail of one donation, for auditors: every event of its stream in order, with who (actorId; `stripe`
 * for webhooks), when, why (correlation and causation ids), where (revision, global position), the Stripe ids
 * involved, its hash-chain links and whether the chain holds; plus how each Stripe event involved was received.
 */
export async function donationTrail(store: EventStore, donationId: string) {
  const streamId = donationStream(donationId);
  const events = await store.readStream(streamId);
  if (events.length === 0) return null;
  const verifier = new ChainVerifier(() => true);
  for (const event of events) verifier.add(event);
  const { broken } = verifier.result();
  const stripeIds = events.map(stripeIdsOf);
  const stripeEventIds = [...new Set(stripeIds.map((ids) => ids.eventId).filter((id): id is string => id !== undefined))];
  const records = await Promise.all(stripeEventIds.map(async (id) => (await store.readStream(stripeEventStream(id), { maxCount: 1 }))[0]));
  const stripeEvents = records.filter((record) => record !== undefined).map((record) => ({ ...(record.data as object), position: record.position }));
  return {
    donationId,
    streamId,
    chain: broken[0] ? { intact: false, firstBadRevision: broken[0].firstBadRevision, reason: broken[0].reason } : { intact: true },
    events: events.map((event, i) => ({
      revision: event.revision,
      position: event.position,
      id: event.id,
      type: event.type,
      occurredAt: event.metadata.occurredAt,
      actorId: event.metadata.actorId,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.causationId,
      schemaVersion: event.metadata.schemaVersion,
      stripe: stripeIds[i],
      data: event.data,
      previousHash: event.metadata.previousHash ?? null,
      hash: (event.metadata.hash as string | undefined) ?? null,
    })),
    stripeEvents,
  };
}
