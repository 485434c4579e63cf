import { z } from 'zod';

/** Every permission, as stored in the seed's string arrays. The order fixes each permission's bit. */
export const PERMISSIONS = [
  'ADMINISTRATOR',
  'MANAGE_REVOLT',
  'MANAGE_CHANNELS',
  'MANAGE_ROLES',
  'MANAGE_MESSAGES',
  'KICK_MEMBERS',
  'BAN_MEMBERS',
  'CREATE_INVITES',
  'VIEW_CHANNEL',
  'SEND_MESSAGES',
  'READ_MESSAGE_HISTORY',
  'ADD_REACTIONS',
  'ATTACH_FILES',
  'EMBED_LINKS',
  'MENTION_EVERYONE',
  'CONNECT',
  'SPEAK',
  'VIDEO',
  'STREAM',
  'MUTE_MEMBERS',
  'DEAFEN_MEMBERS',
  'MOVE_MEMBERS',
  'MANAGE_DONATIONS',
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export const permissionSchema = z.enum(PERMISSIONS);

/** Permissions as a bit set: resolution is a handful of integer operations, not set manipulation. */
export type PermissionBits = number;

const bitOf = new Map<Permission, number>(PERMISSIONS.map((p, i) => [p, 2 ** i]));
export const ALL_PERMISSIONS: PermissionBits = 2 ** PERMISSIONS.length - 1;

export function toBits(permissions: readonly Permission[]): PermissionBits {
  let bits = 0;
  for (const p of permissions) bits |= bitOf.get(p) ?? 0;
  return bits;
}

export function fromBits(bits: PermissionBits): Permission[] {
  return PERMISSIONS.filter((p) => (bits & (bitOf.get(p) ?? 0)) !== 0);
}

export function has(bits: PermissionBits, permission: Permission): boolean {
  const bit = bitOf.get(permission) ?? 0;
  return (bits & bit) === bit;
}

/** What `@everyone` may do in a new revolt. */
export const DEFAULT_EVERYONE_PERMISSIONS: Permission[] = [
  'VIEW_CHANNEL',
  'SEND_MESSAGES',
  'READ_MESSAGE_HISTORY',
  'ADD_REACTIONS',
  'ATTACH_FILES',
  'EMBED_LINKS',
  'CREATE_INVITES',
  'CONNECT',
  'SPEAK',
  'VIDEO',
  'STREAM',
];
