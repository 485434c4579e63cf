import type { Decider } from '../decider.ts';
import type { RevoltCommand } from './commands.ts';
import { createChannel, deleteChannel, removeChannelPermissions, setChannelPermissions, updateChannel } from './decide/channels.ts';
import { create } from './decide/create.ts';
import { ban, join, kick, leave, transferOwnership, unban } from './decide/members.ts';
import { createRole, deleteRole, grantOrRevokeRole, updateRole } from './decide/roles.ts';
import { deleteRevolt, regenerateInvite, updateRevolt } from './decide/settings.ts';
import type { RevoltEvent } from './events.ts';
import { evolveRevolt, evolveRevoltBatch, initialRevoltState, type RevoltState } from './state.ts';

export type { Actor, RevoltCommand } from './commands.ts';

export const revoltDecider: Decider<RevoltCommand, RevoltState, RevoltEvent> = {
  initialState: initialRevoltState,
  evolve: evolveRevolt,
  evolveAll: evolveRevoltBatch,
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
