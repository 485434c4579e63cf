import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';

const follow = z.object({ followerId: idSchema, followeeId: idSchema, at: isoDate });

/** Events of a follower's stream (`follows-<followerId>`): they started or stopped following another user. */
export const followEventSchemas = {
  UserFollowed: follow,
  UserUnfollowed: follow,
} as const;

export type FollowEvent = EventsOf<typeof followEventSchemas>;
export type FollowEventOf<T extends FollowEvent['type']> = Extract<FollowEvent, { type: T }>;
