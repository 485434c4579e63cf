import { ruleBroken } from '../errors.ts';
import { has } from '../permissions/catalogue.ts';
import { channelPermissions } from '../permissions/resolve.ts';
import { subjectOf } from '../revolts/state.ts';
import type { VoiceChannelCommandOf } from './commands.ts';
import type { LeaveReason, VoiceChannelEvent } from './events.ts';
import { assertModerates, canStay, elapsedMs, maxParticipants, participantOf, requireBits, sessionSettings, voiceChannelFor } from './rules.ts';
import { evolveVoiceChannel, type VoiceChannelState } from './state.ts';

/**
 * Joining a voice or video channel: CONNECT (or a moderator's MOVE_MEMBERS on the channel when they move the user
 * in: the user then needs only to see it), room under the channel's maxMembers, and the first one in starts a
 * session. Without SPEAK one joins muted. Joining a channel one is in changes nothing.
 */
export function join(command: VoiceChannelCommandOf<'JoinVoice'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, channelId, userId, movedBy, at } = command;
  const admitter = voiceChannelFor(revolt, movedBy ?? userId, channelId);
  requireBits(admitter.bits, movedBy ? 'MOVE_MEMBERS' : 'CONNECT', movedBy ? 'moving members into it' : 'joining');
  const { channel } = admitter;
  const subject = subjectOf(revolt, userId);
  const bits = subject ? channelPermissions(subject, channel) : 0;
  if (!subject || !has(bits, 'VIEW_CHANNEL')) throw ruleBroken('member_cannot_view_channel', 'that member cannot see the target channel');
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

/**
 * The events of `userId` leaving: their time in the channel (and in a screen share still on), and the end of the
 * session when they were the last one. Nothing when they are not in it.
 */
function leaveEvents(
  state: VoiceChannelState,
  userId: string,
  reason: LeaveReason,
  at: string,
  extra: { by?: string; toChannelId?: string } = {},
): VoiceChannelEvent[] {
  const session = state.session;
  const participant = session?.participants.get(userId);
  if (!session || !participant) return [];
  const base = { sessionId: session.sessionId, revoltId: state.revoltId, channelId: state.channelId };
  const events: VoiceChannelEvent[] = [
    {
      type: 'VoiceParticipantLeft',
      data: {
        ...base,
        userId,
        reason,
        ...extra,
        joinedAt: participant.joinedAt,
        leftAt: at,
        durationMs: elapsedMs(participant.joinedAt, at),
        screenShareMs: participant.screenShareSince ? elapsedMs(participant.screenShareSince, at) : 0,
      },
    },
  ];
  if (session.participants.size === 1) {
    events.push({ type: 'VoiceSessionEnded', data: { ...base, startedAt: session.startedAt, endedAt: at, durationMs: elapsedMs(session.startedAt, at) } });
  }
  return events;
}

export function leave(command: VoiceChannelCommandOf<'LeaveVoice'>, state: VoiceChannelState): VoiceChannelEvent[] {
  return leaveEvents(state, command.userId, command.reason, command.at);
}

/** Removes (reason `removed`) everyone who may no longer be here; see canStay. */
export function sweep(command: VoiceChannelCommandOf<'SweepVoice'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const events: VoiceChannelEvent[] = [];
  let current = state;
  for (const participant of state.session?.participants.values() ?? []) {
    if (canStay(command.revolt, state.channelId, participant)) continue;
    const left = leaveEvents(current, participant.userId, 'removed', command.at);
    current = left.reduce(evolveVoiceChannel, current);
    events.push(...left);
  }
  return events;
}

/**
 * Moving someone out of this channel (the first half of a move): MOVE_MEMBERS in both channels and the kick
 * hierarchy; the moved member need not have CONNECT in the target, as in Discord (see join).
 */
export function moveOut(command: VoiceChannelCommandOf<'MoveVoiceMember'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, actorId, userId, toChannelId, channelId } = command;
  assertModerates(revolt, actorId, channelId, userId, 'MOVE_MEMBERS');
  requireBits(voiceChannelFor(revolt, actorId, toChannelId).bits, 'MOVE_MEMBERS', 'moving members into it');
  participantOf(state.session?.participants, userId);
  if (toChannelId === channelId) return [];
  return leaveEvents(state, userId, 'moved', command.at, { by: actorId, toChannelId });
}

export function disconnect(command: VoiceChannelCommandOf<'DisconnectVoiceMember'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, actorId, userId, channelId } = command;
  assertModerates(revolt, actorId, channelId, userId, 'MOVE_MEMBERS');
  participantOf(state.session?.participants, userId);
  return leaveEvents(state, userId, 'disconnected', command.at, { by: actorId });
}
