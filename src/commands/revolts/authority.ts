import { forbidden, notFound } from '../errors.ts';
import { ALL_PERMISSIONS, has, toBits, type Permission, type PermissionBits } from '../permissions/catalogue.ts';
import { basePermissions, channelPermissions, highestRolePosition, type PermissionSubject } from '../permissions/resolve.ts';
import { subjectOf, type ChannelState, type RevoltState, type RoleState } from './state.ts';

/** The revolt, live; a deleted or unknown revolt is not found. */
export function liveRevolt(state: RevoltState): RevoltState {
  if (!state.exists || state.deleted) throw notFound('revolt');
  return state;
}

/** The revolt, if the user may see it: it is public or they are a member; to anyone else it does not exist. */
export function visibleRevolt(state: RevoltState, userId: string): RevoltState {
  if (!liveRevolt(state).settings.isPublic && !state.members.has(userId)) throw notFound('revolt');
  return state;
}

/** The acting member; to a non-member the revolt does not exist. */
export function memberSubject(state: RevoltState, actorId: string): PermissionSubject {
  const subject = subjectOf(liveRevolt(state), actorId);
  if (!subject) throw notFound('revolt');
  return subject;
}

export function requireRevoltPermission(state: RevoltState, actorId: string, permission: Permission): PermissionSubject {
  const subject = memberSubject(state, actorId);
  if (!has(basePermissions(subject), permission)) throw forbidden(`you need ${permission} in this revolt`, { missing: permission });
  return subject;
}

/** A channel the actor can see; one they can't is reported missing, like one that doesn't exist. */
export function visibleChannel(state: RevoltState, actorId: string, channelId: string): { channel: ChannelState; bits: PermissionBits } {
  const subject = memberSubject(state, actorId);
  const channel = state.channels.get(channelId);
  if (!channel) throw notFound('channel');
  const bits = channelPermissions(subject, channel);
  if (!has(bits, 'VIEW_CHANNEL')) throw notFound('channel');
  return { channel, bits };
}

export function requireChannelPermission(state: RevoltState, actorId: string, channelId: string, permission: Permission): ChannelState {
  const { channel, bits } = visibleChannel(state, actorId, channelId);
  if (!has(bits, permission)) throw forbidden(`you need ${permission} in this channel`, { missing: permission });
  return channel;
}

/** Nobody manages a role at or above their own highest role (the owner manages all). */
export function assertRoleBelow(actor: PermissionSubject, position: number, what = 'that role'): void {
  if (position >= highestRolePosition(actor)) throw forbidden(`${what} is at or above your highest role`);
}

/** Nobody acts on a member whose highest role is at or above theirs; nobody acts on the owner. */
export function assertOutranks(state: RevoltState, actor: PermissionSubject, targetUserId: string): void {
  if (targetUserId === state.ownerId) throw forbidden('the owner cannot be the target of that');
  const target = subjectOf(state, targetUserId);
  if (target && highestRolePosition(target) >= highestRolePosition(actor)) {
    throw forbidden("that member's highest role is at or above yours");
  }
}

/** Nobody hands out or takes away (in a role, a role grant or an overwrite) permissions they don't hold themselves. */
export function assertGrantable(actor: PermissionSubject, permissions: readonly Permission[]): void {
  const held = basePermissions(actor);
  if (held === ALL_PERMISSIONS) return;
  const wanted = toBits(permissions);
  if ((wanted & ~held) !== 0) {
    const missing = permissions.filter((p) => !has(held, p));
    throw forbidden('you cannot grant or take away permissions you do not have', { missing });
  }
}

export function existingRole(state: RevoltState, roleId: string): RoleState {
  const role = state.roles.get(roleId);
  if (!role) throw notFound('role');
  return role;
}
