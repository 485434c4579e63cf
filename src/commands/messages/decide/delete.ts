import { notFound } from '../../errors.ts';
import { requireChannel, requireHeld } from '../../permissions/access.ts';
import type { MessageCommandOf } from '../commands.ts';
import type { MessageEvent } from '../events.ts';
import type { MessageState } from '../state.ts';

/** Soft delete by the author or a member with MANAGE_MESSAGES in the channel; deleting again changes nothing. */
export function remove(command: MessageCommandOf<'DeleteMessage'>, state: MessageState): MessageEvent[] {
  const { revolt, actorId, channelId } = command;
  const { bits } = requireChannel(revolt, actorId, channelId);
  const message = state.message;
  if (!message || message.channelId !== channelId) throw notFound('message');
  if (message.authorId !== actorId) requireHeld(bits, ['MANAGE_MESSAGES'], "deleting another member's message");
  if (state.isDeleted) return [];
  return [
    {
      type: 'MessageDeleted',
      data: { messageId: message.messageId, channelId, revoltId: message.revoltId, deletedBy: actorId, deletedAt: command.at },
    },
  ];
}
