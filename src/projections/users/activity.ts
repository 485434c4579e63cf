import { ObjectId, type Collection, type Document } from 'mongodb';
import type { RecordedEvent } from '../../events/envelope.ts';
import { idSchema } from '../../events/ids.ts';
import { applyEvents, type ReadModel } from '../engine/read-model.ts';
import { asDomainEvent, isMessageSent } from '../event-types.ts';
import { applyCredits, emptyLedger, reputationCredits, type ReputationCredit, type ReputationLedger } from './reputation.ts';

/** Where a user's reputation ledger is kept (internal: never shown, see projections/views.ts). */
export const REPUTATION_FIELD = '_reputation';

interface Touched {
  lastActive?: Date;
  credits: ReputationCredit[];
}

/** A user document's last activity, never moved back. */
export function touch(user: Document, at: Date): void {
  if (!(user.stats.lastActive > at)) user.stats.lastActive = at;
}

function gather(events: readonly RecordedEvent[]): Map<string, Touched> {
  const touched = new Map<string, Touched>();
  const entry = (userId: string) => {
    let found = touched.get(userId);
    if (!found) touched.set(userId, (found = { credits: [] }));
    return found;
  };
  for (const event of events) {
    const actorId = event.metadata.actorId;
    // A message moves its author's lastActive in the write that counts it (the hot path gets no second write).
    if (actorId && !isMessageSent(event) && idSchema.safeParse(actorId).success) {
      const user = entry(actorId);
      const at = new Date(event.metadata.occurredAt);
      if (!(user.lastActive && user.lastActive >= at)) user.lastActive = at;
    }
    for (const credit of reputationCredits(asDomainEvent(event))) entry(credit.userId).credits.push(credit);
  }
  return touched;
}

/**
 * What a run of events does to users beyond their own handlers, in one write per user: `stats.lastActive` moves
 * to the time of the latest event the user caused (the command's actor, as each event's metadata records it),
 * and `stats.reputation` takes the credits the events give (reputation.ts). lastActive only ever moves forward
 * and each credit is applied once (the ledger keeps the position of the last), so a redelivered run changes
 * nothing. Users with credits are read in one round trip, to the end.
 */
export async function applyActivity(users: Collection, events: readonly RecordedEvent[]): Promise<void> {
  const touched = gather(events);
  if (touched.size === 0) return;
  const credited = [...touched].filter(([, t]) => t.credits.length > 0).map(([userId]) => new ObjectId(userId));
  const docs = credited.length === 0 ? [] : await users.find({ _id: { $in: credited } }, { projection: { stats: 1, [REPUTATION_FIELD]: 1 } }).toArray();
  const byId = new Map(docs.map((doc) => [(doc._id as ObjectId).toHexString(), doc]));
  for (const [userId, { lastActive, credits }] of touched) {
    const _id = new ObjectId(userId);
    if (credits.length === 0) {
      if (lastActive) await users.updateOne({ _id, 'stats.lastActive': { $lt: lastActive } }, { $set: { 'stats.lastActive': lastActive } });
      continue;
    }
    const doc = byId.get(userId);
    if (!doc) continue;
    const seen = doc[REPUTATION_FIELD] as ReputationLedger | undefined;
    const next = applyCredits({ reputation: doc.stats.reputation, ledger: seen ?? emptyLedger() }, credits);
    const set: Document = {};
    if (next.ledger.pos !== (seen?.pos ?? 0)) Object.assign(set, { 'stats.reputation': next.reputation, [REPUTATION_FIELD]: next.ledger });
    if (lastActive && !(doc.stats.lastActive >= lastActive)) set['stats.lastActive'] = lastActive;
    if (Object.keys(set).length === 0) continue;
    const unchanged = seen ? { [`${REPUTATION_FIELD}.pos`]: seen.pos } : { [REPUTATION_FIELD]: { $exists: false } };
    await users.updateOne({ _id, ...unchanged }, { $set: set });
  }
}

/** The users read model `effects`, each delivery followed by the activity of its events (one call per batch). */
export function withActivity(effects: ReadModel): ReadModel {
  return {
    ...effects,
    async apply(event, ctx) {
      await effects.apply(event, ctx);
      await applyActivity(ctx.collection('users'), [event]);
    },
    async applyBatch(events, ctx) {
      await applyEvents(effects, events, ctx);
      await applyActivity(ctx.collection('users'), events);
    },
  };
}
