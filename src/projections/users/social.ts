import { ObjectId, type Collection } from 'mongodb';
import type { FollowEventOf } from '../../commands/follows/events.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { updateGuarded } from '../engine/guard.ts';

export type UserFollowEvent = RecordedEvent & FollowEventOf<'UserFollowed' | 'UserUnfollowed'>;

/**
 * `stats.following` of the follower and `stats.followers` of the followee, +1 for a follow and −1 for an
 * unfollow: each event is a real change of its pair (decided on the follower's stream, see commands/follows), so
 * the counts are exact under any concurrency; each write is guarded by the event's position.
 */
export async function applyFollowToUsers(users: Collection, event: UserFollowEvent): Promise<void> {
  const { followerId, followeeId } = event.data;
  const delta = event.type === 'UserFollowed' ? 1 : -1;
  await updateGuarded(users, { _id: new ObjectId(followerId) }, { $inc: { 'stats.following': delta } }, event.position);
  await updateGuarded(users, { _id: new ObjectId(followeeId) }, { $inc: { 'stats.followers': delta } }, event.position);
}
