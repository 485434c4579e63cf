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
  /** When `settings.systemChannelId` was last set: system messages answer only what happened from then on. */
  systemChannelSince?: string;
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

type Collections = 'roles' | 'members' | 'bans' | 'channels';

/**
 * A state being evolved by one batch: a shallow copy whose fields it sets, and whose maps (and set of bans) it copies
 * once, the first time the batch changes them, then changes in place. Their values (members, roles, channels) are
 * never changed in place: they may be shared with an older state.
 */
class Draft {
  readonly state: RevoltState;
  private readonly owned = new Set<Collections>();

  constructor(base: RevoltState) {
    this.state = { ...base };
  }

  /** The batch's own copy of one of the state's collections, to change in place. */
  own<K extends Collections>(key: K): RevoltState[K] {
    if (!this.owned.has(key)) {
      const shared: Map<string, unknown> | Set<string> = this.state[key];
      this.state[key] = (shared instanceof Set ? new Set(shared) : new Map(shared)) as RevoltState[K];
      this.owned.add(key);
    }
    return this.state[key];
  }
}

/**
 * Folds a batch of events into `state` without changing it (copy-on-write: states handed out by the handler's cache
 * are never mutated), copying each collection at most once for the whole batch: loading a revolt of n members is
 * O(n), not O(n²).
 */
export function evolveRevoltBatch(state: RevoltState, events: readonly RevoltEvent[]): RevoltState {
  if (events.length === 0) return state;
  const draft = new Draft(state);
  for (const event of events) applyTo(draft, event);
  return draft.state;
}

export const evolveRevolt = (state: RevoltState, event: RevoltEvent): RevoltState => evolveRevoltBatch(state, [event]);

function applyTo(draft: Draft, event: RevoltEvent): void {
  const state = draft.state;
  switch (event.type) {
    case 'RevoltCreated': {
      const d = event.data;
      const systemChannelSince = d.settings.systemChannelId === undefined ? undefined : d.createdAt;
      Object.assign(state, { exists: true, revoltId: d.revoltId, ownerId: d.ownerId, name: d.name, settings: d.settings, systemChannelSince, inviteCode: d.inviteCode });
      return;
    }
    case 'RoleCreated': {
      const d = event.data;
      draft.own('roles').set(d.roleId, {
        id: d.roleId,
        name: d.name,
        color: d.color,
        permissions: d.permissions,
        position: d.position,
        isManaged: d.isManaged,
      });
      if (d.isManaged && d.name === '@everyone') state.everyoneRoleId = d.roleId;
      return;
    }
    case 'ChannelCreated': {
      const d = event.data;
      draft.own('channels').set(d.channelId, {
        channelId: d.channelId,
        name: d.name,
        type: d.type,
        position: d.position,
        categoryId: d.categoryId,
        overwrites: [],
        settings: d.settings,
      });
      return;
    }
    case 'RevoltUpdated': {
      const { name, settings } = event.data.changes;
      if (settings?.systemChannelId !== undefined) state.systemChannelSince = event.data.updatedAt;
      state.name = name ?? state.name;
      state.settings = { ...state.settings, ...settings };
      return;
    }
    case 'RevoltDeleted':
      state.deleted = true;
      return;
    case 'InviteCodeSet':
      state.inviteCode = event.data.inviteCode;
      return;
    case 'MemberLeft':
    case 'MemberKicked':
      removeMember(draft, event.data.userId);
      return;
    case 'MemberBanned':
      removeMember(draft, event.data.userId);
      draft.own('bans').add(event.data.userId);
      return;
    case 'MemberUnbanned':
      if (state.bans.has(event.data.userId)) draft.own('bans').delete(event.data.userId);
      return;
    case 'OwnershipTransferred':
      state.ownerId = event.data.to;
      return;
    case 'RoleUpdated': {
      const role = state.roles.get(event.data.roleId);
      if (role) draft.own('roles').set(role.id, { ...role, ...event.data.changes });
      return;
    }
    case 'RoleDeleted': {
      const { roleId } = event.data;
      draft.own('roles').delete(roleId);
      for (const [userId, m] of state.members) {
        if (m.roles.includes(roleId)) draft.own('members').set(userId, { ...m, roles: m.roles.filter((r) => r !== roleId) });
      }
      for (const [channelId, c] of state.channels) {
        if (c.overwrites.some((o) => o.id === roleId)) draft.own('channels').set(channelId, { ...c, overwrites: c.overwrites.filter((o) => o.id !== roleId) });
      }
      return;
    }
    case 'MemberRoleGranted':
    case 'MemberRoleRevoked': {
      const { userId, roleId } = event.data;
      const member = state.members.get(userId);
      if (!member) return;
      const roles = event.type === 'MemberRoleGranted' ? [...new Set([...member.roles, roleId])] : member.roles.filter((r) => r !== roleId);
      draft.own('members').set(userId, { ...member, roles });
      return;
    }
    case 'ChannelUpdated': {
      const { channelId, changes } = event.data;
      const channel = state.channels.get(channelId);
      if (!channel) return;
      const { categoryId, settings, ...rest } = changes;
      const updated: ChannelState = { ...channel, ...rest, settings: { ...channel.settings, ...settings } };
      if (categoryId === null) delete updated.categoryId;
      else if (categoryId !== undefined) updated.categoryId = categoryId;
      draft.own('channels').set(channelId, updated);
      return;
    }
    case 'ChannelDeleted': {
      const { channelId } = event.data;
      const channels = draft.own('channels');
      channels.delete(channelId);
      for (const [id, c] of channels) {
        if (c.categoryId !== channelId) continue;
        const { categoryId: _, ...uncategorised } = c;
        channels.set(id, uncategorised);
      }
      return;
    }
    case 'ChannelPermissionsSet':
    case 'ChannelPermissionsRemoved': {
      const { channelId } = event.data;
      const channel = state.channels.get(channelId);
      if (!channel) return;
      const targetId = event.type === 'ChannelPermissionsSet' ? event.data.overwrite.id : event.data.targetId;
      const overwrites = channel.overwrites.filter((o) => o.id !== targetId);
      if (event.type === 'ChannelPermissionsSet') overwrites.push(event.data.overwrite);
      draft.own('channels').set(channelId, { ...channel, overwrites });
      return;
    }
    case 'MemberJoined': {
      const d = event.data;
      draft.own('members').set(d.userId, {
        userId: d.userId,
        username: d.username,
        roles: [],
        permissions: [],
        joinedAt: d.joinedAt,
      });
      return;
    }
  }
}

function removeMember(draft: Draft, userId: string): void {
  if (draft.state.members.has(userId)) draft.own('members').delete(userId);
}
