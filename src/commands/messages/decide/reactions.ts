import { badRequest, ruleBroken } from '../../errors.ts';
import { requireChannel } from '../../permissions/access.ts';
import type { MessageCommandOf } from '../commands.ts';
import { canonicalEmoji } from '../content/emoji.ts';
import type { MessageEvent } from '../events.ts';
import { liveMessage, MAX_REACTION_EMOJIS } from '../rules.ts';
import type { MessageState } from '../state.ts';

/**
 * A member's own reaction. Adding needs READ_MESSAGE_HISTORY and ADD_REACTIONS (for any emoji, new or not) and
 * at most 20 distinct emojis per message; removing needs only to see the channel. Adding what is there or
 * removing what is not changes nothing.
 */
export function react(command: MessageCommandOf<'AddReaction' | 'RemoveReaction'>, state: MessageState): MessageEvent[] {
  const emoji = canonicalEmoji(command.emoji);
  if (!emoji) throw badRequest('not an emoji: use one Unicode emoji or a custom emoji as name:id', { emoji: command.emoji.slice(0, 64) });
  const { revolt, actorId, channelId } = command;
  const adding = command.type === 'AddReaction';
  requireChannel(revolt, actorId, channelId, adding ? ['READ_MESSAGE_HISTORY', 'ADD_REACTIONS'] : []);
  const message = liveMessage(state, channelId);
  const users = state.reactions.get(emoji);
  const reacted = users?.includes(actorId) ?? false;
  if (adding === reacted) return [];
  if (adding && !users && state.reactions.size >= MAX_REACTION_EMOJIS) {
    throw ruleBroken('too_many_reactions', `a message has at most ${MAX_REACTION_EMOJIS} different reactions`, { max: MAX_REACTION_EMOJIS });
  }
  const data = { messageId: message.messageId, channelId, revoltId: message.revoltId, emoji, userId: actorId, authorId: message.authorId, at: command.at };
  return [adding ? { type: 'ReactionAdded', data } : { type: 'ReactionRemoved', data }];
}
