import type { Permission } from '../permissions/catalogue.ts';
import type { Overwrite, PermissionSubject, RoleGrant } from '../permissions/resolve.ts';
import type { ChannelSettings, RevoltEvent, RevoltSettings } from './events.ts';

export interface RoleState extends RoleGrant {
  name: string;
  color: string;
  isManaged: boolean;
}

export interface MemberState {
  userId: string;
  username: string;
  roles: string[];
  permissions: Permission[];
  joinedAt: string;
}

export interface ChannelState {
  channelId: string;
  name: string;
  type: 'text' | 'voice' | 'video' | 'category';
  position: number;
  categoryId?: string;
  overwrites: Overwrite[];
  settings: ChannelSettings;
}

export interface RevoltState {
  exists: boolean;
  revoltId: string;
  ownerId: string;
  name: string;
  everyoneRoleId: string;
  settings: RevoltSettings;
  inviteCode: string;
  roles: Map<string, RoleState>;
  members: Map<string, MemberState>;
  bans: Set<string>;
  channels: Map<string, ChannelState>;
}

export const initialRevoltState: RevoltState = {
  exists: false,
  revoltId: '',
  ownerId: '',
  name: '',
  everyoneRoleId: '',
  settings: {
    isPublic: false,
    verificationLevel: 0,
    maxMembers: 0,
    allowInvites: false,
    slowMode: 0,
    contentFilter: 0,
    region: 'auto',
    premiumTier: 0,
  },
  inviteCode: '',
  roles: new Map(),
  members: new Map(),
  bans: new Set(),
  channels: new Map(),
};

/** Copy-on-write: states handed out by the handler's cache are never mutated. */
export function evolveRevolt(state: RevoltState, event: RevoltEvent): RevoltState {
  switch (event.type) {
    case 'RevoltCreated': {
      const d = event.data;
      return { ...state, exists: true, revoltId: d.revoltId, ownerId: d.ownerId, name: d.name, settings: d.settings, inviteCode: d.inviteCode };
    }
    case 'RoleCreated': {
      const d = event.data;
      const roles = new Map(state.roles).set(d.roleId, {
        id: d.roleId,
        name: d.name,
        color: d.color,
        permissions: d.permissions,
        position: d.position,
        isManaged: d.isManaged,
      });
      const everyoneRoleId = d.isManaged && d.name === '@everyone' ? d.roleId : state.everyoneRoleId;
      return { ...state, roles, everyoneRoleId };
    }
    case 'ChannelCreated': {
      const d = event.data;
      const channels = new Map(state.channels).set(d.channelId, {
        channelId: d.channelId,
        name: d.name,
        type: d.type,
        position: d.position,
        categoryId: d.categoryId,
        overwrites: [],
        settings: d.settings,
      });
      return { ...state, channels };
    }
    case 'InviteCodeSet':
      return { ...state, inviteCode: event.data.inviteCode };
    case 'MemberJoined': {
      const d = event.data;
      const members = new Map(state.members).set(d.userId, {
        userId: d.userId,
        username: d.username,
        roles: [],
        permissions: [],
        joinedAt: d.joinedAt,
      });
      return { ...state, members };
    }
  }
}

/** The permission subject for one member, or undefined when the user is not a member. */
export function subjectOf(state: RevoltState, userId: string): PermissionSubject | undefined {
  const member = state.members.get(userId);
  if (!member) return undefined;
  return { ownerId: state.ownerId, everyoneRoleId: state.everyoneRoleId, roles: state.roles, member };
}
