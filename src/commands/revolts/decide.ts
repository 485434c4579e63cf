import type { Decider } from '../decider.ts';
import { conflict } from '../errors.ts';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../permissions/catalogue.ts';
import { createChannel, deleteChannel, removeChannelPermissions, setChannelPermissions, updateChannel } from './channels.ts';
import type { RevoltCommand, RevoltCommandOf } from './commands.ts';
import type { RevoltEvent, RevoltSettings } from './events.ts';
import { ban, join, kick, leave, transferOwnership, unban } from './members.ts';
import { createRole, deleteRole, grantOrRevokeRole, updateRole } from './roles.ts';
import { deleteRevolt, regenerateInvite, updateRevolt } from './settings.ts';
import { evolveRevolt, initialRevoltState, type RevoltState } from './state.ts';

export type { Actor, RevoltCommand } from './commands.ts';

export const DEFAULT_REVOLT_SETTINGS: RevoltSettings = {
  isPublic: true,
  verificationLevel: 0,
  maxMembers: 100_000,
  allowInvites: true,
  slowMode: 0,
  contentFilter: 0,
  region: 'auto',
  premiumTier: 0,
};

function create(command: RevoltCommandOf<'CreateRevolt'>, state: RevoltState): RevoltEvent[] {
  if (state.exists) throw conflict('already_exists', 'revolt already exists');
  const { revoltId, at } = command;
  const settings = { ...DEFAULT_REVOLT_SETTINGS, ...command.settings, defaultChannelId: command.defaultChannelId };
  return [
    {
      type: 'RevoltCreated',
      data: {
        revoltId,
        ownerId: command.owner.userId,
        name: command.name,
        description: command.description,
        ...(command.icon !== undefined && { icon: command.icon }),
        ...(command.banner !== undefined && { banner: command.banner }),
        settings,
        inviteCode: command.inviteCode,
        createdAt: at,
      },
    },
    {
      type: 'RoleCreated',
      data: {
        revoltId,
        roleId: command.everyoneRoleId,
        name: '@everyone',
        color: '#99aab5',
        permissions: DEFAULT_EVERYONE_PERMISSIONS,
        position: 0,
        isManaged: true,
        createdAt: at,
      },
    },
    {
      type: 'ChannelCreated',
      data: {
        revoltId,
        channelId: command.defaultChannelId,
        name: 'general',
        type: 'text',
        position: 0,
        settings: { isNsfw: false, slowMode: 0, isPrivate: false, archived: false },
        createdAt: at,
      },
    },
    {
      type: 'MemberJoined',
      data: {
        revoltId,
        revoltName: command.name,
        userId: command.owner.userId,
        username: command.owner.username,
        isOwner: true,
        ...(command.owner.presence && { presence: command.owner.presence }),
        joinedAt: at,
      },
    },
  ];
}

export const revoltDecider: Decider<RevoltCommand, RevoltState, RevoltEvent> = {
  initialState: initialRevoltState,
  evolve: evolveRevolt,
  decide(command, state) {
    switch (command.type) {
      case 'CreateRevolt':
        return create(command, state);
      case 'JoinRevolt':
        return join(command, state);
      case 'UpdateRevolt':
        return updateRevolt(command, state);
      case 'DeleteRevolt':
        return deleteRevolt(command, state);
      case 'RegenerateInvite':
        return regenerateInvite(command, state);
      case 'LeaveRevolt':
        return leave(command, state);
      case 'KickMember':
        return kick(command, state);
      case 'BanMember':
        return ban(command, state);
      case 'UnbanMember':
        return unban(command, state);
      case 'TransferOwnership':
        return transferOwnership(command, state);
      case 'CreateRole':
        return createRole(command, state);
      case 'UpdateRole':
        return updateRole(command, state);
      case 'DeleteRole':
        return deleteRole(command, state);
      case 'GrantRole':
      case 'RevokeRole':
        return grantOrRevokeRole(command, state);
      case 'CreateChannel':
        return createChannel(command, state);
      case 'UpdateChannel':
        return updateChannel(command, state);
      case 'DeleteChannel':
        return deleteChannel(command, state);
      case 'SetChannelPermissions':
        return setChannelPermissions(command, state);
      case 'RemoveChannelPermissions':
        return removeChannelPermissions(command, state);
    }
  },
};

export const revoltStream = (revoltId: string) => `revolt-${revoltId}`;
