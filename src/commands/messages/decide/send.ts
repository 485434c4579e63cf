import type { MessageAttachment } from '../../attachments/events.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../attachments/resolve.ts';
import { conflict, ruleBroken } from '../../errors.ts';
import { requireChannel } from '../../permissions/access.ts';
import { has, type Permission } from '../../permissions/catalogue.ts';
import { assertVerificationLevel } from '../../revolts/verification-level.ts';
import type { MessageCommandOf } from '../commands.ts';
import { assertPassesContentFilter } from '../content-filter.ts';
import { MAX_EMBEDS, messageEmbeds } from '../content/embeds.ts';
import type { MessageEvent, MessageSentData } from '../events.ts';
import { parseMentions } from '../content/mentions.ts';
import { assertContent, assertWritable } from '../rules.ts';
import type { MessageState } from '../state.ts';

/** 'text' whenever there is content; otherwise what the message carries: images, other files, or embeds. */
function messageType(content: string, attachments: readonly MessageAttachment[]): MessageSentData['type'] {
  if (content.trim().length > 0) return 'text';
  if (attachments.length === 0) return 'embed';
  return attachments.every((a) => a.contentType.startsWith('image/')) ? 'image' : 'file';
}

export function send(command: MessageCommandOf<'SendMessage'>, state: MessageState): MessageEvent[] {
  if (state.message) throw conflict('already_exists', 'message already exists');
  const { revolt, content, embeds = [], attachments = [] } = command;
  const needed: Permission[] = ['SEND_MESSAGES'];
  if (embeds.length > 0) needed.push('EMBED_LINKS');
  if (attachments.length > 0) needed.push('ATTACH_FILES');
  const { channel, bits } = requireChannel(revolt, command.authorId, command.channelId, needed);
  assertWritable(channel);
  assertVerificationLevel(revolt, command.authorId, command.account, command.at);
  if (embeds.length > MAX_EMBEDS) throw ruleBroken('too_many_embeds', `a message has at most ${MAX_EMBEDS} embeds`);
  if (attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw ruleBroken('too_many_attachments', `a message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`);
  }
  assertContent(content, embeds.length > 0 || attachments.length > 0);
  assertPassesContentFilter(revolt, command.authorId, content);
  if (command.replyTo) {
    const target = command.replyTo.state;
    if (!target.exists || target.isDeleted || target.channelId !== command.channelId) {
      throw ruleBroken('reply_target_missing', 'the message replied to does not exist in this channel');
    }
  }
  const stored = messageEmbeds(
    embeds.map((embed) => ({ type: 'rich' as const, ...embed })),
    content,
    has(bits, 'EMBED_LINKS'),
  );
  return [
    {
      type: 'MessageSent',
      data: {
        messageId: command.messageId,
        channelId: command.channelId,
        revoltId: revolt.revoltId,
        authorId: command.authorId,
        content,
        type: messageType(content, attachments),
        ...(command.replyTo && { replyTo: command.replyTo.messageId }),
        ...parseMentions(content, revolt, has(bits, 'MENTION_EVERYONE')),
        ...(stored.length > 0 && { embeds: stored }),
        ...(attachments.length > 0 && { attachments }),
        createdAt: command.at,
      },
    },
  ];
}
