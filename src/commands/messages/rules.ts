import { forbidden, notFound, ruleBroken } from '../errors.ts';
import { has, type Permission, type PermissionBits } from '../permissions/catalogue.ts';
import { visibleChannel } from '../revolts/authority.ts';
import type { ChannelState, RevoltState } from '../revolts/state.ts';
import type { MessageSentData } from './events.ts';
import type { MessageState } from './state.ts';

export const MAX_CONTENT_LENGTH = 4000;

/** The channel as the actor sees it (404 when they can't), holding every one of `needed` (403 naming the missing ones). */
export function channelFor(revolt: RevoltState, actorId: string, channelId: string, needed: Permission[] = []): { channel: ChannelState; bits: PermissionBits } {
  const access = visibleChannel(revolt, actorId, channelId);
  const missing = needed.filter((p) => !has(access.bits, p));
  if (missing.length > 0) throw forbidden('you lack permissions in this channel', { missing });
  return access;
}

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
