import type { Decider } from '../decider.ts';
import { AppError, notFound } from '../errors.ts';
import type { FollowCommand } from './commands.ts';
import type { FollowEvent } from './events.ts';
import { evolveFollows, initialFollowsState, type FollowsState } from './state.ts';

/**
 * One follower's follows. Nobody follows themself (400 `cannot_follow_self`) nor an unknown user (404); following
 * whom one follows, or unfollowing whom one does not, changes nothing (no event).
 */
export const followsDecider: Decider<FollowCommand, FollowsState, FollowEvent> = {
  initialState: initialFollowsState,
  evolve: evolveFollows,
  decide(command, state) {
    const { followerId, followeeId, at } = command;
    if (followerId === followeeId) throw new AppError('cannot_follow_self', 'you cannot follow or unfollow yourself');
    if (!command.followeeExists) throw notFound('user');
    const follows = state.following.has(followeeId);
    const data = { followerId, followeeId, at };
    if (command.type === 'Follow') return follows ? [] : [{ type: 'UserFollowed', data }];
    return follows ? [{ type: 'UserUnfollowed', data }] : [];
  },
};

/**
 * One stream per follower. Every follow or unfollow of a user is decided on their own stream with its expected
 * revision, so each event is a real change of one pair (never a second UserFollowed for a pair already
 * followed, whatever the concurrency), and the counters the projections add up from them are exact: the
 * follower's `following` comes from one stream, the followee's `followers` from one event per change on each
 * follower's stream. Follows of one popular user come from many streams, so they never contend with each other;
 * a per-followee stream would serialise them all, and a per-pair stream could not tell the follower's set.
 */
export const followsStream = (followerId: string) => `follows-${followerId}`;
