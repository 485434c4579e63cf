import { channelAccess } from '../permissions/access.ts';
import { has } from '../permissions/catalogue.ts';
import type { RevoltState } from '../revolts/state.ts';

/**
 * Seconds a member must wait between two messages in a channel: the channel's slow mode, or 0 for members
 * with MANAGE_MESSAGES or MANAGE_CHANNELS there (and for anyone the send will refuse anyway).
 */
export function slowModeSeconds(revolt: RevoltState, channelId: string, userId: string): number {
  const access = channelAccess(revolt, userId, channelId);
  if (!access.allowed || access.channel.settings.slowMode <= 0) return 0;
  if (has(access.bits, 'MANAGE_MESSAGES') || has(access.bits, 'MANAGE_CHANNELS')) return 0;
  return access.channel.settings.slowMode;
}
