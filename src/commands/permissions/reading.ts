import { channelAccess } from './access.ts';
import type { PermissionChannel } from './resolve.ts';
import type { PermissionRevolt } from './subject.ts';

type MessageChannel = PermissionChannel & { type: string };

/** Whether `userId` may read a channel's messages: a text channel they can view, with READ_MESSAGE_HISTORY. */
export function mayReadChannel(revolt: PermissionRevolt<MessageChannel>, userId: string, channelId: string): boolean {
  const access = channelAccess(revolt, userId, channelId, ['READ_MESSAGE_HISTORY']);
  return access.allowed && access.channel.type === 'text';
}

/** The channels whose messages `userId` may read. */
export function readableChannelIds(revolt: PermissionRevolt<MessageChannel>, userId: string): string[] {
  return [...revolt.channels.keys()].filter((id) => mayReadChannel(revolt, userId, id));
}
