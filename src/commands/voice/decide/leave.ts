import type { VoiceChannelCommandOf } from '../commands.ts';
import type { LeaveReason, VoiceChannelEvent } from '../events.ts';
import { assertMayMove, assertModerates, canStay, elapsedMs, participantOf } from '../rules.ts';
import { evolveVoiceChannel, type VoiceChannelState } from '../state.ts';

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

/** Whether a leave naming the stay that began at `joinedAt` comes after that stay ended (see OneStay). */
const stayOver = (state: VoiceChannelState, userId: string, joinedAt: string | undefined) =>
  joinedAt !== undefined && state.session?.participants.get(userId)?.joinedAt !== joinedAt;

export function leave(command: VoiceChannelCommandOf<'LeaveVoice'>, state: VoiceChannelState): VoiceChannelEvent[] {
  if (stayOver(state, command.userId, command.joinedAt)) return [];
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
 * Moving someone out of this channel: MOVE_MEMBERS in both channels and outranking them (see assertMayMove). It
 * records where they went.
 */
export function moveOut(command: VoiceChannelCommandOf<'MoveVoiceMember'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, actorId, userId, toChannelId, channelId } = command;
  if (stayOver(state, userId, command.joinedAt)) return [];
  assertMayMove(revolt, actorId, channelId, toChannelId, userId);
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
