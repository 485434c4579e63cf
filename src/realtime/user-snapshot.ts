import { userDecider, userStream } from '../commands/users/decide.ts';
import type { EventStore } from '../events/store/port.ts';
import type { Services } from '../http/services.ts';
import { HIDDEN } from '../projections/views.ts';
import { readUpTo } from './read-range.ts';
import { revoltOfEvent } from './world.ts';

/** What READY says of a user, and the revolts to check their membership of. */
export interface UserSnapshot {
  user: Record<string, unknown>;
  revoltIds: string[];
  /** The users read model had applied at least every event up to here when it was read. */
  asOf: number;
}

const CATCH_UP_MS = 2000;

/**
 * The user from the users read model, waiting (briefly) for it to reach `position`. A lagging read model is not
 * an error: `asOf` says how far it had got, and `addJoinsSince` fills in what it had not yet seen.
 */
export async function readUserSnapshot(services: Services, userId: string, position: number): Promise<UserSnapshot> {
  const { progress, db, commands } = services;
  const asOf = (await progress.waitForPosition('users', position, CATCH_UP_MS)) ? position : await progress.checkpoint('users');
  const doc = await db.collection('users').findOne({ id: userId }, { projection: { ...HIDDEN, letterProgress: 0 } });
  if (doc) {
    const { revoltMemberships = [], ...user } = doc;
    return { user, asOf, revoltIds: (revoltMemberships as Array<{ revoltId: { toString(): string } }>).map((m) => m.revoltId.toString()) };
  }
  const { state } = await commands.load(userStream(userId), userDecider);
  return { user: { id: userId, username: state.username, discriminator: state.discriminator, email: state.email, status: state.status }, asOf, revoltIds: [] };
}

/**
 * Adds to each snapshot the revolts its user joined after its `asOf`, up to `position`, read from the store: the
 * snapshot then names every revolt the user may belong to as of `position` (membership itself is checked against
 * the revolt's state there, which also drops the ones left since).
 */
export async function addJoinsSince(store: EventStore, entries: Array<{ userId: string; snapshot: UserSnapshot }>, position: number): Promise<void> {
  const behind = entries.filter((e) => e.snapshot.asOf < position);
  if (behind.length === 0) return;
  const after = Math.min(...behind.map((e) => e.snapshot.asOf));
  const byUser = new Map<string, UserSnapshot[]>();
  for (const { userId, snapshot } of behind) byUser.set(userId, [...(byUser.get(userId) ?? []), snapshot]);
  for await (const page of readUpTo(store, after, position)) {
    for (const event of page) {
      const revoltId = revoltOfEvent(event);
      if (event.type !== 'MemberJoined' || !revoltId) continue;
      for (const snapshot of byUser.get((event.data as { userId: string }).userId) ?? []) {
        if (event.position > snapshot.asOf && !snapshot.revoltIds.includes(revoltId)) snapshot.revoltIds.push(revoltId);
      }
    }
  }
}
