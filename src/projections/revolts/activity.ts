import { MongoServerError, ObjectId, type Collection, type Document, type UpdateFilter } from 'mongodb';
import { ACTIVE_WINDOW_MS } from '../../commands/activity/decide.ts';
import { groupBy } from '../batching.ts';
import { POSITION_FIELD, updateGuarded } from '../engine/guard.ts';
import type { CollectionSpec } from '../engine/read-model.ts';

/**
 * `stats.activeMembers` of the revolts read model: members who sent a message or were in voice in the 30 days
 * before the activity clock's `asOf` (the last ActivityWindowAdvanced), counted from events alone.
 *
 * The lane keeps, in `revoltActivity`, one document per (revolt, member) from their join to their leaving, with the
 * time of their last activity once they have one (`_id` `<revoltId>:<userId>`), and one clock document; activity
 * of someone who is not a member (a voice leave recorded after their kick) counts for nothing. It holds one invariant: a revolt's `activeMembers` is the
 * number of its members whose last activity is at or after the window's start (`asOf` − 30 days; no start before
 * the first tick). An activity that brings a member into the window adds one; a member who leaves while in it
 * takes one away; a tick that moves the start forward takes away, per revolt, those it leaves behind. Each
 * revolt write comes before the member writes it counted (a redelivery then finds the revolt guarded by position
 * and completes the member writes), so a rebuild from position 0 gives exactly the same numbers.
 */
export const REVOLT_ACTIVITY = 'revoltActivity';

const CLOCK = '~clock';
const DUPLICATE_KEY = 11000;

interface MemberActivity {
  _id: string;
  revoltId: string;
  userId: string;
  /** Absent until their first activity. */
  lastActiveAt?: Date;
  [POSITION_FIELD]: number;
}

interface Clock {
  _id: typeof CLOCK;
  asOf: Date;
  [POSITION_FIELD]: number;
}

/** The `revoltActivity` collection: member and clock documents, keyed by string ids. */
export type ActivityCollection = Collection<{ _id: string } & Document>;

/** One member's activity at `at`, recorded by the event at `position`. */
export interface Activity {
  userId: string;
  at: Date;
  position: number;
}

export const activityCollectionSpec: CollectionSpec = { name: REVOLT_ACTIVITY, indexes: [{ key: { revoltId: 1 } }, { key: { lastActiveAt: 1 } }] };

const memberKey = (revoltId: string, userId: string) => `${revoltId}:${userId}`;
const revoltKey = (revoltId: string) => ({ _id: new ObjectId(revoltId) });

/** The latest of `from` (a time, or undefined for none) and the activities' times. */
function latest(activities: readonly Activity[], from: number | undefined): number | undefined {
  return activities.reduce<number | undefined>((max, a) => Math.max(max ?? -Infinity, a.at.getTime()), from);
}

/** Whether a member whose last activity was at `last` (undefined: none yet) is in the window starting at `start`. */
const counted = (last: number | undefined, start: number) => last !== undefined && last >= start;

/** The window's start as the clock stands: activity at or after it counts (all of it before the first tick). */
async function windowStart(activity: ActivityCollection): Promise<number> {
  const clock = (await activity.findOne({ _id: CLOCK })) as Clock | null;
  return clock ? clock.asOf.getTime() - ACTIVE_WINDOW_MS : -Infinity;
}

/**
 * Records a revolt's members' activities (in position order) and moves its `activeMembers` by those they bring
 * into the window, in the same guarded write as `also(fresh)` (the changes the same events make to the revolt,
 * given those of them the revolt has not seen). Revolt first, members after: see the module's comment.
 */
export async function recordActivity<E extends { position: number }>(
  revolts: Collection<Document>,
  activity: ActivityCollection,
  revoltId: string,
  events: readonly E[],
  activities: readonly Activity[],
  also: (fresh: readonly E[]) => UpdateFilter<Document> = () => ({}),
): Promise<void> {
  const revolt = await revolts.findOne(revoltKey(revoltId), { projection: { [POSITION_FIELD]: 1 } });
  if (!revolt) return;
  const seen = (revolt[POSITION_FIELD] as number | undefined) ?? 0;
  const start = await windowStart(activity);
  const members = activity as unknown as Collection<MemberActivity>;
  let entered = 0;
  const writes: { previous: number; next: MemberActivity }[] = [];
  for (const [userId, ofMember] of groupBy(activities, (a) => a.userId)) {
    const doc = await members.findOne({ _id: memberKey(revoltId, userId) });
    if (!doc) continue;
    const previous = doc[POSITION_FIELD];
    const unrecorded = ofMember.filter((a) => a.position > previous);
    const last = unrecorded.at(-1);
    if (!last) continue;
    // What the revolt has counted already (a run it wrote before its members' writes were cut short) is the "before".
    const before = latest(unrecorded.filter((a) => a.position <= seen), doc.lastActiveAt?.getTime());
    const after = latest(unrecorded, before)!;
    if (!counted(before, start) && counted(after, start)) entered += 1;
    const next = { _id: memberKey(revoltId, userId), revoltId, userId, lastActiveAt: new Date(after), [POSITION_FIELD]: last.position };
    writes.push({ previous, next });
  }
  const fresh = events.filter((e) => e.position > seen);
  const lastFresh = fresh.at(-1);
  const update = also(fresh);
  if (lastFresh && (entered > 0 || Object.keys(update).length > 0)) {
    const inc = { ...((update.$inc as Document | undefined) ?? {}), ...(entered > 0 && { 'stats.activeMembers': entered }) };
    const set = { ...((update.$set as Document | undefined) ?? {}), [POSITION_FIELD]: lastFresh.position };
    await revolts.updateOne({ ...revoltKey(revoltId), [POSITION_FIELD]: seen }, { ...update, $inc: inc, $set: set });
  }
  for (const { previous, next } of writes) await writeMember(members, previous, next);
}

/** A member's document, conditioned on the position it was read at (a twin delivery that wrote first wins). */
async function writeMember(members: Collection<MemberActivity>, previous: number, next: MemberActivity): Promise<void> {
  await members.replaceOne({ _id: next._id, [POSITION_FIELD]: previous }, next);
}

/** A member joined (the event at `position`): their activity is recorded from now on. */
export async function welcomeMember(activity: ActivityCollection, revoltId: string, userId: string, position: number): Promise<void> {
  try {
    await activity.insertOne({ _id: memberKey(revoltId, userId), revoltId, userId, [POSITION_FIELD]: position });
  } catch (error) {
    // Present already: a redelivered join.
    if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
  }
}

/** Whether a member of a revolt is counted in its `activeMembers` now (read before they leave it). */
export async function isCountedActive(activity: ActivityCollection, revoltId: string, userId: string): Promise<boolean> {
  const doc = (await activity.findOne({ _id: memberKey(revoltId, userId) })) as MemberActivity | null;
  return counted(doc?.lastActiveAt?.getTime(), await windowStart(activity));
}

/** A member who left (the event at `position`): their activity is forgotten, after the revolt's count is written. */
export async function forgetMember(activity: ActivityCollection, revoltId: string, userId: string, position: number): Promise<void> {
  await activity.deleteOne({ _id: memberKey(revoltId, userId), [POSITION_FIELD]: { $lt: position } });
}

/** A deleted revolt's members' activity. */
export async function forgetRevolt(activity: ActivityCollection, revoltId: string): Promise<void> {
  await activity.deleteMany({ revoltId });
}

/**
 * The clock moved to `asOf` (the event at `position`): each revolt loses the members whose last activity the
 * window's start has passed, then the clock is written (last: a redelivery finds the revolts guarded and redoes
 * only what is left). The members moving out are found by one range query on `lastActiveAt`.
 */
export async function advanceWindow(revolts: Collection<Document>, activity: ActivityCollection, asOf: Date, position: number): Promise<void> {
  const clock = (await activity.findOne({ _id: CLOCK })) as Clock | null;
  if (clock && clock[POSITION_FIELD] >= position) return;
  const previousStart = clock ? clock.asOf.getTime() - ACTIVE_WINDOW_MS : -Infinity;
  const start = asOf.getTime() - ACTIVE_WINDOW_MS;
  if (start > previousStart) {
    const range = { $lt: new Date(start), ...(Number.isFinite(previousStart) && { $gte: new Date(previousStart) }) };
    const leaving = await activity.find({ lastActiveAt: range }, { projection: { revoltId: 1 } }).toArray();
    for (const [revoltId, members] of groupBy(leaving, (doc) => doc.revoltId as string)) {
      await updateGuarded(revolts, revoltKey(revoltId), { $inc: { 'stats.activeMembers': -members.length } }, position);
    }
  }
  await activity.replaceOne({ _id: CLOCK }, { asOf, [POSITION_FIELD]: position }, { upsert: true });
}
