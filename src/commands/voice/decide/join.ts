import { ruleBroken } from '../../errors.ts';
import { channelAccess, requireHeld } from '../../permissions/access.ts';
import { has } from '../../permissions/catalogue.ts';
import { assertVerificationLevel } from '../../revolts/verification-level.ts';
import type { VoiceChannelCommandOf } from '../commands.ts';
import type { VoiceChannelEvent } from '../events.ts';
import { assertMayMove, maxParticipants, sessionSettings, voiceChannelFor } from '../rules.ts';
import type { VoiceChannelState } from '../state.ts';

/**
 * Joining a voice or video channel: CONNECT (or a moderator's MOVE_MEMBERS on the channel when they move the user
 * in: the user then needs only to see it; with `movedFrom`, the whole move is decided here), room under the
 * channel's maxMembers, and the first one in starts a session. Without SPEAK one joins muted. Joining on one's own
 * also meets the revolt's verification level. Joining a channel one is in changes nothing.
 */
export function join(command: VoiceChannelCommandOf<'JoinVoice'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, channelId, userId, movedBy, movedFrom, at } = command;
  if (movedBy !== undefined && movedFrom !== undefined) assertMayMove(revolt, movedBy, movedFrom, channelId, userId);
  const admitter = voiceChannelFor(revolt, movedBy ?? userId, channelId);
  requireHeld(admitter.bits, [movedBy ? 'MOVE_MEMBERS' : 'CONNECT'], movedBy ? 'moving members into it' : 'joining');
  // A member moved in by a moderator is exempt, as one the moderator vouches for.
  if (movedBy === undefined) assertVerificationLevel(revolt, userId, command.account, at);
  const { channel } = admitter;
  const joiner = channelAccess(revolt, userId, channelId);
  if (!joiner.allowed) throw ruleBroken('member_cannot_view_channel', 'that member cannot see the target channel');
  const { bits } = joiner;
  if (state.session?.participants.has(userId)) return [];
  const max = maxParticipants(channel);
  if ((state.session?.participants.size ?? 0) >= max) {
    throw ruleBroken('voice_channel_full', `this channel holds at most ${max} participants`, { maxMembers: max });
  }
  const events: VoiceChannelEvent[] = [];
  const base = { revoltId: revolt.revoltId, channelId };
  let sessionId = state.session?.sessionId;
  if (!sessionId) {
    sessionId = command.sessionId;
    events.push({ type: 'VoiceSessionStarted', data: { ...base, sessionId, settings: sessionSettings(revolt, channel), startedAt: at } });
  }
  const canSpeak = has(bits, 'SPEAK');
  const carried = command.carried ?? { video: false, screenShare: false };
  const member = revolt.members.get(userId);
  events.push({
    type: 'VoiceParticipantJoined',
    data: {
      ...base,
      sessionId,
      userId,
      username: member?.username ?? '',
      selfMute: command.selfMute || !canSpeak,
      selfDeaf: command.selfDeaf,
      serverMute: command.serverMute,
      serverDeaf: command.serverDeaf,
      // A moved participant keeps their camera and screen only where they may use them.
      video: carried.video && has(bits, 'VIDEO'),
      screenShare: carried.screenShare && has(bits, 'STREAM'),
      ...(movedBy !== undefined && { movedBy }),
      joinedAt: at,
    },
  });
  return events;
}
