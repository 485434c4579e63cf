import type { Document } from 'mongodb';

/**
 * Where a user document lists every revolt the user ever joined (internal: never shown, see projections/views.ts),
 * so that `stats.revoltsJoined` counts distinct revolts: rejoining one counts nothing, and a rebuild from the
 * events gives the same count.
 */
export const JOINED_REVOLTS_FIELD = '_joinedRevolts';

/** Counts a join of `revoltId` in `stats.revoltsJoined` unless the user joined that revolt before. */
export function countJoin(user: Document, revoltId: string): void {
  const joined = (user[JOINED_REVOLTS_FIELD] ?? []) as string[];
  if (joined.includes(revoltId)) return;
  user[JOINED_REVOLTS_FIELD] = [...joined, revoltId];
  user.stats.revoltsJoined += 1;
}
