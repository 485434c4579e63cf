import { viewableChannels } from '../commands/permissions/visibility.ts';
import type { ChannelState, RevoltState } from '../commands/revolts/state.ts';

/** Ids of the channels `userId` may view (VIEW_CHANNEL after overwrites); empty when not a member. */
export function visibleChannelIds(state: RevoltState | undefined, userId: string): Set<string> {
  return new Set(state ? viewableChannels(state, userId).map((c) => c.channelId) : []);
}

export function channelView(state: RevoltState, channel: ChannelState) {
  const { channelId, overwrites, ...rest } = channel;
  return { id: channelId, revoltId: state.revoltId, ...rest, permissions: overwrites };
}

/** A revolt as one member sees it: its settings and roles, and only the channels they may view. */
export function revoltView(state: RevoltState, visible: ReadonlySet<string>) {
  const channels = [...state.channels.values()]
    .filter((c) => visible.has(c.channelId))
    .sort((a, b) => a.position - b.position)
    .map((c) => channelView(state, c));
  return {
    id: state.revoltId,
    name: state.name,
    ownerId: state.ownerId,
    everyoneRoleId: state.everyoneRoleId,
    settings: state.settings,
    memberCount: state.members.size,
    roles: [...state.roles.values()].map(({ id, name, color, permissions, position, isManaged }) => ({ id, name, color, permissions, position, isManaged })),
    channels,
  };
}
