import type { Permission } from './catalogue.ts';
import type { PermissionChannel, PermissionSubject, RoleGrant } from './resolve.ts';

/** What the permission rules need of a revolt; the revolt aggregate's state is one. */
export interface PermissionRevolt<C extends PermissionChannel = PermissionChannel> {
  exists: boolean;
  deleted: boolean;
  ownerId: string;
  everyoneRoleId: string;
  settings: { isPublic: boolean };
  roles: ReadonlyMap<string, RoleGrant>;
  members: ReadonlyMap<string, { userId: string; roles: readonly string[]; permissions: readonly Permission[] }>;
  channels: ReadonlyMap<string, C>;
}

/** The permission subject for one member, or undefined when the user is not a member. */
export function subjectOf(revolt: PermissionRevolt, userId: string): PermissionSubject | undefined {
  const member = revolt.members.get(userId);
  if (!member) return undefined;
  return { ownerId: revolt.ownerId, everyoneRoleId: revolt.everyoneRoleId, roles: revolt.roles, member };
}

/** Someone looking at a public revolt from outside: @everyone, with no roles, grants or overwrites of their own. */
export function outsiderOf(revolt: PermissionRevolt): PermissionSubject {
  return { ownerId: revolt.ownerId, everyoneRoleId: revolt.everyoneRoleId, roles: revolt.roles, member: { userId: '', roles: [], permissions: [] } };
}
