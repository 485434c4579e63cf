import { ObjectId } from 'mongodb';
import { describe, it } from 'vitest';
import { followsReadModel } from '../../../src/projections/follows/read-model.ts';
import { date, hexId, ids, time } from '../fixtures.ts';
import { at, readModelScenarios } from '../support.ts';

const { given } = readModelScenarios(followsReadModel);

const carol = hexId(3);
const followed = (position: number, followerId: string, followeeId: string) => at(position, 'UserFollowed', { followerId, followeeId, at: time(position) });
const unfollowed = (position: number, followerId: string, followeeId: string) => at(position, 'UserUnfollowed', { followerId, followeeId, at: time(position) });

const follow = (followerId: string, followeeId: string, createdAt: number, active: boolean, pos: number) => ({
  _id: `${followerId}-${followeeId}`,
  id: `${followerId}-${followeeId}`,
  followerId: new ObjectId(followerId),
  followeeId: new ObjectId(followeeId),
  createdAt: date(createdAt),
  active,
  _pos: pos,
});

describe('follows read model', () => {
  it('a follow is one document per pair; an unfollow leaves it inactive; following again makes it active from then', () =>
    given([followed(1, ids.ada, ids.bob), followed(2, carol, ids.bob)])
      .when([followed(3, ids.bob, ids.ada), unfollowed(4, carol, ids.bob), unfollowed(5, ids.ada, ids.bob), followed(6, ids.ada, ids.bob)])
      .then([follow(ids.ada, ids.bob, 6, true, 6), follow(ids.bob, ids.ada, 3, true, 3), follow(carol, ids.bob, 2, false, 4)]));

  it('a redelivered history, and older events arriving late, change nothing (an unfollowed pair stays unfollowed)', () => {
    const history = [followed(1, ids.ada, ids.bob), followed(2, carol, ids.bob), unfollowed(3, carol, ids.bob)];
    return given(history)
      .when([...history, followed(2, carol, ids.bob)])
      .then([follow(ids.ada, ids.bob, 1, true, 1), follow(carol, ids.bob, 2, false, 3)]);
  });
});
