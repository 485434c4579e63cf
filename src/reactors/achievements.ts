import { createHash } from 'node:crypto';
import { MongoServerError, type Collection } from 'mongodb';
import { ACHIEVEMENTS, due, type AchievementDefinition } from '../commands/achievements/catalogue.ts';
import { addChanges, COUNTED_EVENT_TYPES, counterChanges, type CountedEvent, type CounterChange, type Counters } from '../commands/achievements/counters.ts';
import { achievementsDecider } from '../commands/achievements/decide.ts';
import { achievementStream } from '../commands/achievements/events.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { groupBy } from '../projections/batching.ts';
import { bulkWriteChunked, findByIds, POSITION_FIELD } from '../projections/engine/guard.ts';
import type { Cause, Issuing, ReactorWithMemory } from './reactor.ts';

/** The reactor's name (its lane, checkpoint, and the seed of its commands' ids). */
export const ACHIEVEMENTS_REACTOR = 'achievements';

/** The reactor's memory: one document per user. */
export const ACHIEVEMENT_COUNTERS = 'achievement_counters';

/** A user's counters, the achievements issued for them, and the last event counted (the cause a sweep answers). */
export interface CountersDoc {
  /** The user's id. */
  _id: string;
  counters: Counters;
  unlocked: string[];
  last: Cause;
  [POSITION_FIELD]: number;
}

/** The document naming the catalogue every user was last swept against. Its id sorts after every user id (hex). */
const SWEPT = '~swept';
const DUPLICATE_KEY = 11000;

type CountedRecord = RecordedEvent & CountedEvent;

interface Unlock {
  userId: string;
  achievement: AchievementDefinition;
  cause: Cause;
}

const causeOf = ({ id, metadata: { correlationId, occurredAt } }: Cause): Cause => ({ id, metadata: { correlationId, occurredAt } });

/** What decides who is due: the ids and requirements (not the names, icons or descriptions). */
function fingerprint(catalogue: readonly AchievementDefinition[]): string {
  const rules = catalogue.map(({ id, requirements }) => [id, requirements.map(({ type, value }) => [type, value])]);
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex');
}

/**
 * Unlocks one achievement for one user, in answer to `cause`: its id is seeded by the cause and the achievement,
 * so a redelivery finds its append, and the decider makes any other attempt (a sweep, a twin, a replay after the
 * catalogue changed) decide nothing.
 */
async function unlock(issuing: Issuing, { userId, achievement, cause }: Unlock): Promise<void> {
  const issue = issuing(cause, achievement.id);
  await issue(achievementStream(userId), achievementsDecider, { type: 'UnlockAchievement', userId, achievementId: achievement.id, unlockedAt: cause.metadata.occurredAt });
}

/**
 * One user's run: each event's changes in order, and after each, the achievements its counters now meet that were
 * not unlocked yet (the event that crossed a threshold is the unlock's cause and time). Events the document has
 * seen already (its position) are left out: a redelivered or replayed event counts once.
 */
function advance(catalogue: readonly AchievementDefinition[], userId: string, doc: CountersDoc | undefined, changes: readonly (CounterChange & { event: CountedRecord })[]) {
  const seen = doc?.[POSITION_FIELD] ?? 0;
  const fresh = changes.filter(({ event }) => event.position > seen);
  const last = fresh.at(-1)?.event;
  if (!last) return undefined;
  let counters = doc?.counters ?? {};
  const unlocked = new Set(doc?.unlocked);
  const unlocks: Unlock[] = [];
  for (const ofEvent of groupBy(fresh, ({ event }) => event.id).values()) {
    const cause = ofEvent[0]!.event;
    counters = addChanges(counters, ofEvent);
    for (const achievement of due(catalogue, counters, unlocked)) {
      unlocked.add(achievement.id);
      unlocks.push({ userId, achievement, cause });
    }
  }
  const next: CountersDoc = { _id: userId, counters, unlocked: [...unlocked], last: causeOf(last), [POSITION_FIELD]: last.position };
  return { seen, next, unlocks };
}

/**
 * Writes the users' documents in bulk (bulkWriteChunked: FerretDB 1.x never ends an update command of more statements
 * than its pool), each conditioned on the position it was read at: when a twin delivery wrote first, the write
 * matches nothing and its upsert meets the document already there (a duplicate key), and that one is dropped.
 */
async function write(collection: Collection<CountersDoc>, steps: readonly { seen: number; next: CountersDoc }[]): Promise<void> {
  const writes = steps.map(({ seen, next }) => ({ replaceOne: { filter: { _id: next._id, [POSITION_FIELD]: seen }, replacement: next, upsert: true } }));
  await bulkWriteChunked(collection, writes, { duplicatesAreNoOps: true });
}

/**
 * Unlocks for each user what the catalogue says they meet and nothing has unlocked yet: achievements added since
 * their last event (their time is that event's: the counters keep no history). Then records them, unless the lane
 * wrote the document meanwhile (it unlocks them itself then). The users are read first, to the end of the cursor.
 */
async function sweepUsers(catalogue: readonly AchievementDefinition[], issuing: Issuing, collection: Collection<CountersDoc>, signal: AbortSignal): Promise<boolean> {
  const owed: { doc: CountersDoc; missing: AchievementDefinition[] }[] = [];
  for await (const doc of collection.find({ _id: { $lt: SWEPT } })) {
    const missing = due(catalogue, doc.counters, new Set(doc.unlocked));
    if (missing.length > 0) owed.push({ doc, missing });
  }
  for (const { doc, missing } of owed) {
    if (signal.aborted) return false;
    for (const achievement of missing) await unlock(issuing, { userId: doc._id, achievement, cause: doc.last });
    await collection.updateOne(
      { _id: doc._id, [POSITION_FIELD]: doc[POSITION_FIELD] },
      { $set: { unlocked: [...doc.unlocked, ...missing.map(({ id }) => id)] } },
    );
  }
  return true;
}

/**
 * Achievements: keeps each user's counters (commands/achievements/counters.ts) from the whole history, and when
 * a user's counters come to meet an achievement of `catalogue`, issues UnlockAchievement once, caused by the event
 * that crossed the threshold and dated by it. At start a sweep grants achievements added to the catalogue since
 * the last sweep to the users who already meet them.
 */
export function achievementsReactor(catalogue: readonly AchievementDefinition[] = ACHIEVEMENTS): ReactorWithMemory<CountedEvent> {
  return {
    name: ACHIEVEMENTS_REACTOR,
    handles: COUNTED_EVENT_TYPES,
    collections: [{ name: ACHIEVEMENT_COUNTERS, indexes: [] }],
    startsAt: 'first-event',
    async reactRun(events, { issuing, ctx }) {
      const changes = events.flatMap((event) => counterChanges(event).map((change) => ({ ...change, event })));
      const collection = ctx.collection<CountersDoc>(ACHIEVEMENT_COUNTERS);
      const byUser = groupBy(changes, ({ userId }) => userId);
      const docs = new Map((await findByIds(collection, [...byUser.keys()])).map((doc) => [doc._id, doc]));
      const steps = [...byUser].flatMap(([userId, ofUser]) => advance(catalogue, userId, docs.get(userId), ofUser) ?? []);
      // The commands first, the memory after: a crash in between leaves the events unseen, and their redelivery finds the appends.
      for (const step of steps) for (const each of step.unlocks) await unlock(issuing, each);
      await write(collection, steps);
    },
    async sweep({ issuing, ctx }, signal) {
      const collection = ctx.collection<CountersDoc>(ACHIEVEMENT_COUNTERS);
      const swept = ctx.collection<{ _id: string; catalogue: string }>(ACHIEVEMENT_COUNTERS);
      const current = fingerprint(catalogue);
      if ((await swept.findOne({ _id: SWEPT }))?.catalogue === current) return;
      if (!(await sweepUsers(catalogue, issuing, collection, signal))) return;
      try {
        await swept.updateOne({ _id: SWEPT }, { $set: { catalogue: current } }, { upsert: true });
      } catch (error) {
        // Another process recorded its sweep at the same moment (FerretDB upserts read, then write).
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    },
  };
}
