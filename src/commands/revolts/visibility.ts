import { has } from '../permissions/catalogue.ts';
import { channelPermissions, type PermissionSubject } from '../permissions/resolve.ts';
import { subjectOf, type ChannelState, type RevoltState } from './state.ts';

/** Someone looking at a public revolt from outside: @everyone, with no roles, grants or overwrites of their own. */
function outsider(state: RevoltState): PermissionSubject {
  return { ownerId: state.ownerId, everyoneRoleId: state.everyoneRoleId, roles: state.roles, member: { userId: '', roles: [], permissions: [] } };
}

function viewableBy(state: RevoltState, subject: PermissionSubject): ChannelState[] {
  return [...state.channels.values()].filter((c) => has(channelPermissions(subject, c), 'VIEW_CHANNEL'));
}

/** The channels a member may view (VIEW_CHANNEL after overwrites and privacy); none for a non-member. */
export function viewableChannels(state: RevoltState, userId: string): ChannelState[] {
  const subject = subjectOf(state, userId);
  return subject ? viewableBy(state, subject) : [];
}

/** The ids of the channels whose existence `userId` may learn of: a member's own view, anyone else's that of @everyone. */
export function channelIdsShownTo(state: RevoltState, userId: string): Set<string> {
  const subject = subjectOf(state, userId) ?? outsider(state);
  return new Set(viewableBy(state, subject).map((c) => c.channelId));
}
