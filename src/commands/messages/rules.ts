import { notFound, ruleBroken } from '../errors.ts';
import type { ChannelState } from '../revolts/state.ts';
import type { MessageSentData } from './events.ts';
import type { MessageState } from './state.ts';

export const MAX_CONTENT_LENGTH = 4000;
export const MAX_REACTION_EMOJIS = 20;
export const MAX_PINS = 50;

/** The message, when it exists in this channel and is not deleted; a deleted message is gone for everyone but audit. */
export function liveMessage(state: MessageState, channelId: string): MessageSentData {
  if (!state.message || state.message.channelId !== channelId || state.isDeleted) throw notFound('message');
  return state.message;
}

export function assertWritable(channel: ChannelState): void {
  if (channel.type !== 'text') throw ruleBroken('not_a_text_channel', 'messages can only be sent to text channels');
  if (channel.settings.archived) throw ruleBroken('channel_archived', 'this channel is archived');
}

/** A message needs content, an embed or an attachment; content has at most MAX_CONTENT_LENGTH characters. */
export function assertContent(content: string, hasEmbedsOrAttachments: boolean): void {
  if (content.trim().length === 0 && !hasEmbedsOrAttachments) throw ruleBroken('empty_message', 'a message needs content, an embed or an attachment');
  if (content.length > MAX_CONTENT_LENGTH) throw ruleBroken('content_too_long', `a message has at most ${MAX_CONTENT_LENGTH} characters`);
}
