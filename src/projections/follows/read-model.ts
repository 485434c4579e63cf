import { ObjectId, type Document } from 'mongodb';
import { updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

/** A follow's document id: the pair, so each pair has one document whatever the history. */
export const followId = (followerId: string, followeeId: string) => `${followerId}-${followeeId}`;

/**
 * `follows`: one document per pair that ever followed, `{_id, id, followerId, followeeId, createdAt, active}`,
 * for the pages of a user's followers and following, newest first. Unfollowing leaves the document, inactive,
 * with its `_pos`: an older event delivered again then meets the guard instead of resurrecting the pair.
 * `createdAt` is when the current follow began.
 */
export const followsReadModel: ReadModel = {
  name: 'follows',
  collections: [
    {
      name: 'follows',
      indexes: [
        { key: { followeeId: 1, active: 1, createdAt: -1, id: -1 } },
        { key: { followerId: 1, active: 1, createdAt: -1, id: -1 } },
      ],
    },
  ],
  async apply(recorded, ctx) {
    const event = asDomainEvent(recorded);
    if (event.type !== 'UserFollowed' && event.type !== 'UserUnfollowed') return;
    const follows = ctx.collection('follows');
    const { followerId, followeeId, at } = event.data;
    const id = followId(followerId, followeeId);
    if (event.type === 'UserUnfollowed') {
      await updateGuarded(follows, { _id: id } as Document, { $set: { active: false } }, event.position);
      return;
    }
    const set = { id, followerId: new ObjectId(followerId), followeeId: new ObjectId(followeeId), createdAt: new Date(at), active: true };
    await updateGuarded(follows, { _id: id } as Document, { $set: set }, event.position, { upsert: true });
  },
};
