import { forbidden } from '../../errors.ts';
import { requireChannel } from '../../permissions/access.ts';
import { has } from '../../permissions/catalogue.ts';
import type { MessageCommandOf } from '../commands.ts';
import { assertPassesContentFilter } from '../content-filter.ts';
import { messageEmbeds } from '../content/embeds.ts';
import type { MessageEvent } from '../events.ts';
import { parseMentions } from '../content/mentions.ts';
import { assertContent, assertWritable, liveMessage } from '../rules.ts';
import type { MessageState } from '../state.ts';

/**
 * The author rewrites the content: same limits as sending, mentions parsed again (with the author's current
 * MENTION_EVERYONE), link embeds recomputed, supplied embeds kept. The same content again changes nothing.
 */
export function edit(command: MessageCommandOf<'EditMessage'>, state: MessageState): MessageEvent[] {
  const { revolt, content, actorId } = command;
  const { channel, bits } = requireChannel(revolt, actorId, command.channelId);
  const message = liveMessage(state, command.channelId);
  if (message.authorId !== actorId) throw forbidden('only its author may edit a message');
  assertWritable(channel);
  const supplied = (message.embeds ?? []).filter((e) => e.type === 'rich');
  assertContent(content, supplied.length > 0 || (message.attachments ?? []).length > 0);
  if (content === message.content) return [];
  assertPassesContentFilter(revolt, actorId, content);
  return [
    {
      type: 'MessageEdited',
      data: {
        messageId: message.messageId,
        channelId: message.channelId,
        revoltId: message.revoltId,
        content,
        ...parseMentions(content, revolt, has(bits, 'MENTION_EVERYONE')),
        embeds: messageEmbeds(supplied, content, has(bits, 'EMBED_LINKS')),
        editedBy: actorId,
        editedAt: command.at,
      },
    },
  ];
}
