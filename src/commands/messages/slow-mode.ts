import { has } from '../permissions/catalogue.ts';
import { channelPermissions } from '../permissions/resolve.ts';
import { subjectOf, type RevoltState } from '../revolts/state.ts';

/**
 * Seconds a member must wait between two messages in a channel: the channel's slow mode, or 0 for members
 * with MANAGE_MESSAGES or MANAGE_CHANNELS there (and for anyone the send will refuse anyway).
 */
export function slowModeSeconds(revolt: RevoltState, channelId: string, userId: string): number {
  const channel = revolt.channels.get(channelId);
  const subject = subjectOf(revolt, userId);
  if (!channel || !subject || channel.settings.slowMode <= 0) return 0;
  const bits = channelPermissions(subject, channel);
  if (has(bits, 'MANAGE_MESSAGES') || has(bits, 'MANAGE_CHANNELS')) return 0;
  return channel.settings.slowMode;
}
