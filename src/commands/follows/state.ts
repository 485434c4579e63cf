import type { FollowEvent } from './events.ts';

/** What one user's follow decisions need: the users they follow now. */
export interface FollowsState {
  following: ReadonlySet<string>;
}

export const initialFollowsState: FollowsState = { following: new Set() };

/** Copy-on-write: states handed out by the handler's cache are never mutated. */
export function evolveFollows(state: FollowsState, event: FollowEvent): FollowsState {
  const following = new Set(state.following);
  if (event.type === 'UserFollowed') following.add(event.data.followeeId);
  else following.delete(event.data.followeeId);
  return { following };
}
