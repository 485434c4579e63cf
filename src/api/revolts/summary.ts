import type { RevoltState } from '../../commands/revolts/state.ts';
import { channelIdsShownTo } from '../../commands/revolts/visibility.ts';

/** The revolt as `viewerId` may see it: only the channels they may view are listed. */
export function revoltSummary(state: RevoltState, viewerId: string) {
  return {
    id: state.revoltId,
    name: state.name,
    owner: state.ownerId,
    inviteCode: state.inviteCode,
    settings: state.settings,
    memberCount: state.members.size,
    channels: [...channelIdsShownTo(state, viewerId)],
    roles: [...state.roles.values()].map(({ id, name, color, permissions, position, isManaged }) => ({
      id,
      name,
      color,
      permissions,
      position,
      isManaged,
    })),
  };
}
