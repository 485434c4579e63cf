import type { Decider } from '../decider.ts';
import { conflict, forbidden, notFound, ruleBroken } from '../errors.ts';
import { has } from '../permissions/catalogue.ts';
import { channelPermissions } from '../permissions/resolve.ts';
import { subjectOf, type RevoltState } from '../revolts/state.ts';
import type { MessageEvent } from './events.ts';
import { parseMentions } from './mentions.ts';

export const MAX_CONTENT_LENGTH = 4000;

export interface MessageState {
  exists: boolean;
  channelId: string;
  authorId: string;
  isDeleted: boolean;
}

export type MessageCommand = {
  type: 'SendMessage';
  messageId: string;
  channelId: string;
  authorId: string;
  content: string;
  /** The revolt the channel belongs to, as loaded by the handler: the facts permissions are checked against. */
  revolt: RevoltState;
  /** The message replied to, when there is one. */
  replyTo?: { messageId: string; state: MessageState };
  at: string;
};

function send(command: MessageCommand, state: MessageState): MessageEvent[] {
  if (state.exists) throw conflict('already_exists', 'message already exists');
  const { revolt } = command;
  const channel = revolt.channels.get(command.channelId);
  const subject = subjectOf(revolt, command.authorId);
  if (!channel || !subject) throw notFound('channel');
  const permissions = channelPermissions(subject, channel.overwrites);
  if (!has(permissions, 'VIEW_CHANNEL')) throw notFound('channel');
  if (!has(permissions, 'SEND_MESSAGES')) throw forbidden('you may not send messages in this channel', { missing: 'SEND_MESSAGES' });
  if (channel.type !== 'text') throw ruleBroken('not_a_text_channel', 'messages can only be sent to text channels');
  if (channel.settings.archived) throw ruleBroken('channel_archived', 'this channel is archived');
  const content = command.content;
  if (content.trim().length === 0) throw ruleBroken('empty_message', 'a message needs content');
  if (content.length > MAX_CONTENT_LENGTH) {
    throw ruleBroken('content_too_long', `a message has at most ${MAX_CONTENT_LENGTH} characters`);
  }
  if (command.replyTo) {
    const target = command.replyTo.state;
    if (!target.exists || target.isDeleted || target.channelId !== command.channelId) {
      throw ruleBroken('reply_target_missing', 'the message replied to does not exist in this channel');
    }
  }
  const mentions = parseMentions(content, revolt, has(permissions, 'MENTION_EVERYONE'));
  return [
    {
      type: 'MessageSent',
      data: {
        messageId: command.messageId,
        channelId: command.channelId,
        revoltId: revolt.revoltId,
        authorId: command.authorId,
        content,
        type: 'text',
        ...(command.replyTo && { replyTo: command.replyTo.messageId }),
        ...mentions,
        createdAt: command.at,
      },
    },
  ];
}

export const messageDecider: Decider<MessageCommand, MessageState, MessageEvent> = {
  initialState: { exists: false, channelId: '', authorId: '', isDeleted: false },
  evolve(state, event) {
    switch (event.type) {
      case 'MessageSent':
        return { exists: true, channelId: event.data.channelId, authorId: event.data.authorId, isDeleted: false };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'SendMessage':
        return send(command, state);
    }
  },
};

export const messageStream = (messageId: string) => `message-${messageId}`;
