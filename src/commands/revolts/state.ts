import type { Permission } from '../permissions/catalogue.ts';
import type { Overwrite, RoleGrant } from '../permissions/resolve.ts';
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
  deleted: boolean;
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
  deleted: false,
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
    case 'RevoltUpdated': {
      const { name, settings } = event.data.changes;
      return { ...state, name: name ?? state.name, settings: { ...state.settings, ...settings } };
    }
    case 'RevoltDeleted':
      return { ...state, deleted: true };
    case 'InviteCodeSet':
      return { ...state, inviteCode: event.data.inviteCode };
    case 'MemberLeft':
    case 'MemberKicked':
      return withoutMember(state, event.data.userId);
    case 'MemberBanned':
      return { ...withoutMember(state, event.data.userId), bans: new Set(state.bans).add(event.data.userId) };
    case 'MemberUnbanned': {
      const bans = new Set(state.bans);
      bans.delete(event.data.userId);
      return { ...state, bans };
    }
    case 'OwnershipTransferred':
      return { ...state, ownerId: event.data.to };
    case 'RoleUpdated': {
      const role = state.roles.get(event.data.roleId);
      if (!role) return state;
      return { ...state, roles: new Map(state.roles).set(role.id, { ...role, ...event.data.changes }) };
    }
    case 'RoleDeleted': {
      const { roleId } = event.data;
      const roles = new Map(state.roles);
      roles.delete(roleId);
      const members = mapValues(state.members, (m) => (m.roles.includes(roleId) ? { ...m, roles: m.roles.filter((r) => r !== roleId) } : m));
      const channels = mapValues(state.channels, (c) =>
        c.overwrites.some((o) => o.id === roleId) ? { ...c, overwrites: c.overwrites.filter((o) => o.id !== roleId) } : c,
      );
      return { ...state, roles, members, channels };
    }
    case 'MemberRoleGranted':
    case 'MemberRoleRevoked': {
      const { userId, roleId } = event.data;
      const member = state.members.get(userId);
      if (!member) return state;
      const roles = event.type === 'MemberRoleGranted' ? [...new Set([...member.roles, roleId])] : member.roles.filter((r) => r !== roleId);
      return { ...state, members: new Map(state.members).set(userId, { ...member, roles }) };
    }
    case 'ChannelUpdated': {
      const { channelId, changes } = event.data;
      const channel = state.channels.get(channelId);
      if (!channel) return state;
      const { categoryId, settings, ...rest } = changes;
      const updated: ChannelState = { ...channel, ...rest, settings: { ...channel.settings, ...settings } };
      if (categoryId === null) delete updated.categoryId;
      else if (categoryId !== undefined) updated.categoryId = categoryId;
      return { ...state, channels: new Map(state.channels).set(channelId, updated) };
    }
    case 'ChannelDeleted': {
      const { channelId } = event.data;
      const channels = new Map(state.channels);
      channels.delete(channelId);
      return {
        ...state,
        channels: mapValues(channels, (c) => {
          if (c.categoryId !== channelId) return c;
          const { categoryId: _, ...uncategorised } = c;
          return uncategorised;
        }),
      };
    }
    case 'ChannelPermissionsSet':
    case 'ChannelPermissionsRemoved': {
      const { channelId } = event.data;
      const channel = state.channels.get(channelId);
      if (!channel) return state;
      const targetId = event.type === 'ChannelPermissionsSet' ? event.data.overwrite.id : event.data.targetId;
      const overwrites = channel.overwrites.filter((o) => o.id !== targetId);
      if (event.type === 'ChannelPermissionsSet') overwrites.push(event.data.overwrite);
      return { ...state, channels: new Map(state.channels).set(channelId, { ...channel, overwrites }) };
    }
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

function withoutMember(state: RevoltState, userId: string): RevoltState {
  if (!state.members.has(userId)) return state;
  const members = new Map(state.members);
  members.delete(userId);
  return { ...state, members };
}

function mapValues<K, V>(map: ReadonlyMap<K, V>, f: (value: V) => V): Map<K, V> {
  return new Map([...map].map(([key, value]) => [key, f(value)]));
}
