import type { Decider } from '../decider.ts';
import type { VoiceChannelCommand, VoiceUserCommand } from './commands.ts';
import type { VoiceChannelEvent, VoiceUserEvent } from './events.ts';
import { join } from './decide/join.ts';
import { disconnect, leave, moveOut, sweep } from './decide/leave.ts';
import { moderate, setSpeaking, setStream, updateSelf } from './decide/participant.ts';
import { claim, release, setModeration } from './decide/user.ts';
import { evolveVoiceChannel, evolveVoiceUser, initialVoiceChannelState, initialVoiceUserState, type VoiceChannelState, type VoiceUserState } from './state.ts';

export type { VoiceChannelCommand, VoiceUserCommand } from './commands.ts';
export type { VoiceChannelState, VoiceUserState } from './state.ts';

/**
 * Streams, and why:
 * - One stream per voice channel (`voice-channel-<channelId>`) holds its sessions one after another. Everything
 *   that has to be decided against who is in the channel (maxMembers, the session starting with its first
 *   participant and ending with its last, one participant row per user) is then decided on one stream, so the
 *   store's expected-revision check makes it race-free across processes. Sessions are short-lived and a channel
 *   has one at a time, so a stream per session would only add a "which session is current" index. The stream
 *   stays small enough: the handler caches its state and reads only newer events.
 * - One stream per user (`voice-user-<userId>`) says which channel they are in: the one-channel-per-user rule
 *   spans channels (and revolts), so no channel stream can decide it. A join is decided on the channel's stream
 *   first, then claimed here, and the claim names the stay it replaces, which ends next (see settle.ts): the
 *   channel streams stay the truth about who is in a channel, the claim is what finds the channel to leave. It
 *   also keeps the server mute/deafen a moderator gave the user in each revolt, so reconnecting does not lift it
 *   (as in Discord).
 * - The revolt's stream is not written: joins are decided against its state (permissions, membership), loaded
 *   by the execute service and passed in the command, as message commands do.
 */
export const voiceChannelDecider: Decider<VoiceChannelCommand, VoiceChannelState, VoiceChannelEvent> = {
  initialState: initialVoiceChannelState,
  evolve: evolveVoiceChannel,
  decide(command, state) {
    switch (command.type) {
      case 'JoinVoice':
        return join(command, state);
      case 'LeaveVoice':
        return leave(command, state);
      case 'UpdateVoiceSelf':
        return updateSelf(command, state);
      case 'SetSpeaking':
        return setSpeaking(command, state);
      case 'SetVoiceStream':
        return setStream(command, state);
      case 'ServerMute':
      case 'ServerDeafen':
        return moderate(command, state);
      case 'MoveVoiceMember':
        return moveOut(command, state);
      case 'DisconnectVoiceMember':
        return disconnect(command, state);
      case 'SweepVoice':
        return sweep(command, state);
    }
  },
};

export const voiceUserDecider: Decider<VoiceUserCommand, VoiceUserState, VoiceUserEvent> = {
  initialState: initialVoiceUserState,
  evolve: evolveVoiceUser,
  decide(command, state) {
    switch (command.type) {
      case 'ClaimVoiceChannel':
        return claim(command, state);
      case 'ReleaseVoiceChannel':
        return release(command, state);
      case 'SetVoiceModeration':
        return setModeration(command, state);
    }
  },
};

export const voiceChannelStream = (channelId: string) => `voice-channel-${channelId}`;
export const voiceUserStream = (userId: string) => `voice-user-${userId}`;
