import { isLive } from '../../permissions/access.ts';
import type { MessageCommandOf } from '../commands.ts';
import type { MessageEvent } from '../events.ts';
import type { MessageState } from '../state.ts';

/**
 * Posts a system message in the revolt's system channel: only when the revolt is live and its `systemChannelId`
 * names one of its text channels that is not archived; otherwise (no system channel, one deleted or archived since
 * it was set, or one set only after what the message tells of) nothing, the normal outcome for a revolt without
 * one. Its author is the revolt itself (`authorId` is the revolt's id): a system message speaks for no member, so
 * an anonymous donor stays anonymous. Posted already: nothing.
 */
export function postSystemMessage(command: MessageCommandOf<'PostSystemMessage'>, state: MessageState): MessageEvent[] {
  const { revolt } = command;
  const channelId = revolt.settings.systemChannelId;
  if (state.message || !isLive(revolt) || channelId === undefined) return [];
  // What happened before the system channel was set (answered late, by a replay) is not announced in it.
  if (revolt.systemChannelSince === undefined || Date.parse(revolt.systemChannelSince) > Date.parse(command.at)) return [];
  const channel = revolt.channels.get(channelId);
  if (channel?.type !== 'text' || channel.settings.archived) return [];
  return [
    {
      type: 'MessageSent',
      data: {
        messageId: command.messageId,
        channelId,
        revoltId: revolt.revoltId,
        authorId: revolt.revoltId,
        content: command.content,
        type: 'system',
        mentions: [],
        roleMentions: [],
        channelMentions: [],
        mentionEveryone: false,
        createdAt: command.at,
      },
    },
  ];
}
