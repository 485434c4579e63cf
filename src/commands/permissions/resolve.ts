import { ALL_PERMISSIONS, has, toBits, type Permission, type PermissionBits } from './catalogue.ts';

export interface RoleGrant {
  id: string;
  position: number;
  permissions: readonly Permission[];
}

export interface Overwrite {
  type: 'role' | 'member';
  id: string;
  allow: readonly Permission[];
  deny: readonly Permission[];
}

export interface PermissionSubject {
  ownerId: string;
  everyoneRoleId: string;
  roles: ReadonlyMap<string, RoleGrant>;
  /** The member's role ids (without @everyone) and direct permissions. */
  member: { userId: string; roles: readonly string[]; permissions: readonly Permission[] };
}

/** What permission resolution needs of a channel: its overwrites, and whether it is private. */
export interface PermissionChannel {
  overwrites: readonly Overwrite[];
  settings: { isPrivate: boolean };
}

const VIEW_CHANNEL = toBits(['VIEW_CHANNEL']);

/** Revolt-level permissions: owner and ADMINISTRATOR have everything; else @everyone ∪ roles ∪ direct grants. */
export function basePermissions(subject: PermissionSubject): PermissionBits {
  if (subject.member.userId === subject.ownerId) return ALL_PERMISSIONS;
  let bits = toBits(subject.roles.get(subject.everyoneRoleId)?.permissions ?? []);
  for (const roleId of subject.member.roles) bits |= toBits(subject.roles.get(roleId)?.permissions ?? []);
  bits |= toBits(subject.member.permissions);
  return has(bits, 'ADMINISTRATOR') ? ALL_PERMISSIONS : bits;
}

/**
 * Channel permissions, applied in Discord's order: the channel's @everyone overwrite, then all of the
 * member's role overwrites together (allows win over denies among roles), then the member's own overwrite.
 * A private channel denies VIEW_CHANNEL at the @everyone step whatever its @everyone overwrite says, so only a
 * role or member overwrite lets anyone in (owner and ADMINISTRATOR aside).
 */
export function channelPermissions(subject: PermissionSubject, channel: PermissionChannel): PermissionBits {
  const base = basePermissions(subject);
  if (base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
  const { overwrites } = channel;
  let bits = base;
  const everyone = overwrites.find((o) => o.type === 'role' && o.id === subject.everyoneRoleId);
  if (everyone) bits = (bits & ~toBits(everyone.deny)) | toBits(everyone.allow);
  if (channel.settings.isPrivate) bits &= ~VIEW_CHANNEL;
  let roleAllow = 0;
  let roleDeny = 0;
  for (const o of overwrites) {
    if (o.type === 'role' && subject.member.roles.includes(o.id)) {
      roleAllow |= toBits(o.allow);
      roleDeny |= toBits(o.deny);
    }
  }
  bits = (bits & ~roleDeny) | roleAllow;
  const own = overwrites.find((o) => o.type === 'member' && o.id === subject.member.userId);
  if (own) bits = (bits & ~toBits(own.deny)) | toBits(own.allow);
  return bits;
}
