import type { Permission } from '../../../src/commands/permissions/catalogue.ts';
import type { Overwrite, RoleGrant } from '../../../src/commands/permissions/resolve.ts';
import type { PermissionRevolt } from '../../../src/commands/permissions/subject.ts';

export const OWNER = 'owner';
export const MOD = 'mod';
export const PLAIN = 'plain';
export const OUTSIDER = 'outsider';
export const EVERYONE = 'everyone';
export const MOD_ROLE = 'mod-role';

export interface Channel {
  type: 'text' | 'voice';
  overwrites: Overwrite[];
  settings: { isPrivate: boolean };
}

const channel = (type: Channel['type'], isPrivate = false, overwrites: Overwrite[] = []): Channel => ({ type, overwrites, settings: { isPrivate } });

/**
 * A public revolt: @everyone may view, send and read; a moderator (role at 5) may also kick and manage messages.
 * Channels: `general` (text), `lounge` (voice), `secret` (private, opened to the moderator role), `muted` (text,
 * where @everyone may view but not send).
 */
export function revolt(over: Partial<PermissionRevolt<Channel>> = {}): PermissionRevolt<Channel> {
  const roles = new Map<string, RoleGrant>([
    [EVERYONE, { id: EVERYONE, position: 0, permissions: ['VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY'] }],
    [MOD_ROLE, { id: MOD_ROLE, position: 5, permissions: ['KICK_MEMBERS', 'MANAGE_MESSAGES'] }],
  ]);
  const member = (userId: string, memberRoles: string[] = [], permissions: Permission[] = []) => [userId, { userId, roles: memberRoles, permissions }] as const;
  return {
    exists: true,
    deleted: false,
    ownerId: OWNER,
    everyoneRoleId: EVERYONE,
    settings: { isPublic: true },
    roles,
    members: new Map([member(OWNER), member(MOD, [MOD_ROLE]), member(PLAIN)]),
    channels: new Map([
      ['general', channel('text')],
      ['lounge', channel('voice')],
      ['secret', channel('text', true, [{ type: 'role', id: MOD_ROLE, allow: ['VIEW_CHANNEL'], deny: [] }])],
      ['muted', channel('text', false, [{ type: 'role', id: EVERYONE, allow: [], deny: ['SEND_MESSAGES', 'READ_MESSAGE_HISTORY'] }])],
    ]),
    ...over,
  };
}

export const privateRevolt = () => revolt({ settings: { isPublic: false } });
export const deletedRevolt = () => revolt({ deleted: true });
