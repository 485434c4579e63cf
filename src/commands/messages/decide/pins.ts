import { notFound, ruleBroken } from '../../errors.ts';
import { requireChannel } from '../../permissions/access.ts';
import type { PinCommandOf } from '../commands.ts';
import type { PinEvent } from '../events.ts';
import { MAX_PINS } from '../rules.ts';
import type { PinsState } from '../state.ts';

export function pin(command: PinCommandOf<'PinMessage'>, state: PinsState): PinEvent[] {
  const { revolt, actorId, channelId, messageId, message } = command;
  requireChannel(revolt, actorId, channelId, ['MANAGE_MESSAGES']);
  if (!message.exists || message.isDeleted || message.channelId !== channelId) throw notFound('message');
  if (state.pinned.has(messageId)) return [];
  if (state.pinned.size >= MAX_PINS) throw ruleBroken('too_many_pins', `a channel has at most ${MAX_PINS} pinned messages`, { max: MAX_PINS });
  return [{ type: 'MessagePinned', data: { revoltId: revolt.revoltId, channelId, messageId, pinnedBy: actorId, pinnedAt: command.at } }];
}

export function unpin(command: PinCommandOf<'UnpinMessage'>, state: PinsState): PinEvent[] {
  const { revolt, actorId, channelId, messageId } = command;
  requireChannel(revolt, actorId, channelId, ['MANAGE_MESSAGES']);
  if (!state.pinned.has(messageId)) return [];
  const data = { revoltId: revolt.revoltId, channelId, messageId, unpinnedBy: actorId, unpinnedAt: command.at, reason: 'unpinned' as const };
  return [{ type: 'MessageUnpinned', data }];
}

export function release(command: PinCommandOf<'ReleaseDeletedMessage'>, state: PinsState): PinEvent[] {
  const { revoltId, channelId, messageId, deletedBy, at } = command;
  if (!state.pinned.has(messageId)) return [];
  const data = { revoltId, channelId, messageId, unpinnedBy: deletedBy, unpinnedAt: at, reason: 'message_deleted' as const };
  return [{ type: 'MessageUnpinned', data }];
}
