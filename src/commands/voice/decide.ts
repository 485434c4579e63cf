import type { Decider } from '../decider.ts';
import type { VoiceChannelCommand, VoiceUserCommand } from './commands.ts';
import type { VoiceChannelEvent, VoiceUserEvent } from './events.ts';
import { moderate, setSpeaking, setStream, updateSelf } from './participant.ts';
import { disconnect, join, leave, moveOut, sweep } from './session.ts';
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
 *   spans channels (and revolts), so no channel stream can decide it. Joining claims the channel there before
 *   joining it (and leaves the old one first); the channel streams stay the truth about who is in a channel, the
 *   claim is what finds the channel to leave. It also keeps the server mute/deafen a moderator gave the user in
 *   each revolt, so reconnecting does not lift it (as in Discord).
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
    const { userId, at } = command;
    switch (command.type) {
      case 'ClaimVoiceChannel': {
        if (state.channelId === command.channelId) return [];
        const previous = state.channelId ? { previousChannelId: state.channelId } : {};
        return [{ type: 'VoiceChannelClaimed', data: { userId, revoltId: command.revoltId, channelId: command.channelId, ...previous, at } }];
      }
      case 'ReleaseVoiceChannel':
        if (state.channelId !== command.channelId || !state.revoltId) return [];
        return [{ type: 'VoiceChannelReleased', data: { userId, revoltId: state.revoltId, channelId: command.channelId, at } }];
      case 'SetVoiceModeration': {
        const current = state.moderation.get(command.revoltId) ?? { serverMute: false, serverDeaf: false };
        const next = { serverMute: command.serverMute ?? current.serverMute, serverDeaf: command.serverDeaf ?? current.serverDeaf };
        if (next.serverMute === current.serverMute && next.serverDeaf === current.serverDeaf) return [];
        return [{ type: 'VoiceModerationSet', data: { userId, revoltId: command.revoltId, ...next, by: command.by, at } }];
      }
    }
  },
};

export const voiceChannelStream = (channelId: string) => `voice-channel-${channelId}`;
export const voiceUserStream = (userId: string) => `voice-user-${userId}`;
