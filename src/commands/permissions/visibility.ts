import { channelAccessOf, isLive } from './access.ts';
import type { PermissionChannel } from './resolve.ts';
import { outsiderOf, subjectOf, type PermissionRevolt } from './subject.ts';

/** Whether `userId` is a member of the revolt and it is live (undefined: a revolt not known). */
export function isLiveMember<R extends PermissionRevolt>(revolt: R | undefined, userId: string): revolt is R {
  return revolt !== undefined && isLive(revolt) && revolt.members.has(userId);
}

/** The channels a member may view (VIEW_CHANNEL after overwrites and privacy); none for a non-member. */
export function viewableChannels<C extends PermissionChannel>(revolt: PermissionRevolt<C>, userId: string): C[] {
  if (!isLive(revolt)) return [];
  const subject = subjectOf(revolt, userId);
  return subject ? [...revolt.channels.values()].filter((c) => channelAccessOf(subject, c).allowed) : [];
}

/**
 * The ids of the channels whose existence `userId` may learn of: a member's own view, anyone else's that of
 * @everyone (none in a revolt that is not live).
 */
export function channelIdsShownTo(revolt: PermissionRevolt, userId: string): Set<string> {
  if (!isLive(revolt)) return new Set();
  const subject = subjectOf(revolt, userId) ?? outsiderOf(revolt);
  return new Set([...revolt.channels].filter(([, c]) => channelAccessOf(subject, c).allowed).map(([id]) => id));
}
