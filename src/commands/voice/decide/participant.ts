import { ruleBroken } from '../../errors.ts';
import { requireHeld } from '../../permissions/access.ts';
import type { Permission } from '../../permissions/catalogue.ts';
import { requireFeature, type Feature } from '../../progress/features.ts';
import type { VoiceChannelCommandOf } from '../commands.ts';
import type { VoiceChannelEvent, VoiceFlags } from '../events.ts';
import { assertCanStay, assertModerates, elapsedMs, participantOf, voiceChannelFor } from '../rules.ts';
import { isMuted, type VoiceChannelState, type VoiceParticipantState } from '../state.ts';

const flagsOf = ({ selfMute, selfDeaf, serverMute, serverDeaf, video, screenShare }: VoiceFlags): VoiceFlags => ({
  selfMute,
  selfDeaf,
  serverMute,
  serverDeaf,
  video,
  screenShare,
});

const sameFlags = (a: VoiceFlags, b: VoiceFlags) => (Object.keys(a) as (keyof VoiceFlags)[]).every((k) => a[k] === b[k]);

/** A VoiceStateChanged for `participant` now holding `next`, or nothing when nothing changed. */
function stateChange(state: VoiceChannelState, participant: VoiceParticipantState, next: VoiceFlags, by: string, at: string): VoiceChannelEvent[] {
  if (sameFlags(flagsOf(participant), next)) return [];
  const stopped = participant.screenShare && !next.screenShare && participant.screenShareSince;
  return [
    {
      type: 'VoiceStateChanged',
      data: {
        sessionId: state.session!.sessionId,
        revoltId: state.revoltId,
        channelId: state.channelId,
        userId: participant.userId,
        by,
        ...next,
        ...(stopped && { screenShareMs: elapsedMs(stopped, at) }),
        at,
      },
    },
  ];
}

/**
 * A participant's own mute, deafen, camera and screen share, as in Discord: deafening mutes too (undeafening
 * restores the mute as it was), unmuting while deafened undeafens. Becoming audible needs SPEAK, turning the
 * camera on VIDEO and the course's feature `video`, sharing the screen STREAM and the feature `screen_share` (403
 * `feature_locked` naming the letter that unlocks it; the permission is checked first). Someone who may no longer
 * be in the channel is refused with `voice_access_lost` (and the execute service removes them).
 */
export function updateSelf(command: VoiceChannelCommandOf<'UpdateVoiceSelf'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, actorId, channelId, patch } = command;
  const participant = state.session?.participants.get(actorId);
  if (!participant) throw ruleBroken('not_in_voice', 'you are not in this voice channel');
  assertCanStay(revolt, channelId, participant);
  const next = flagsOf(participant);
  if (patch.selfDeaf !== undefined) next.selfDeaf = patch.selfDeaf;
  if (patch.selfMute !== undefined) {
    next.selfMute = patch.selfMute;
    if (!patch.selfMute && patch.selfDeaf === undefined) next.selfDeaf = false;
  }
  if (patch.video !== undefined) next.video = patch.video;
  if (patch.screenShare !== undefined) next.screenShare = patch.screenShare;
  const { bits } = voiceChannelFor(revolt, actorId, channelId);
  const needs: Array<[boolean, Permission, string, Feature?]> = [
    [!(next.selfMute || next.selfDeaf) && (participant.selfMute || participant.selfDeaf), 'SPEAK', 'unmuting'],
    [next.video && !participant.video, 'VIDEO', 'turning the camera on', 'video'],
    [next.screenShare && !participant.screenShare, 'STREAM', 'sharing the screen', 'screen_share'],
  ];
  for (const [needed, permission, what, feature] of needs) {
    if (!needed) continue;
    requireHeld(bits, [permission], what);
    if (!feature) continue;
    if (!command.features) throw new Error(`UpdateVoiceSelf turning ${feature} on without the actor's course standing`);
    requireFeature(command.features, feature);
  }
  return stateChange(state, participant, next, actorId, command.at);
}

/** Server mute (MUTE_MEMBERS) or deafen (DEAFEN_MEMBERS) of a participant, within the kick hierarchy. */
export function moderate(command: VoiceChannelCommandOf<'ServerMute' | 'ServerDeafen'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { revolt, actorId, userId, channelId, value } = command;
  const mute = command.type === 'ServerMute';
  assertModerates(revolt, actorId, channelId, userId, mute ? 'MUTE_MEMBERS' : 'DEAFEN_MEMBERS');
  const participant = participantOf(state.session?.participants, userId);
  const next = { ...flagsOf(participant), ...(mute ? { serverMute: value } : { serverDeaf: value }) };
  return stateChange(state, participant, next, actorId, command.at);
}

/** From the media layer: only changes are recorded, and a muted participant is never speaking. */
export function setSpeaking(command: VoiceChannelCommandOf<'SetSpeaking'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const participant = participantOf(state.session?.participants, command.userId);
  const speaking = command.speaking && !isMuted(participant);
  if (participant.speaking === speaking) return [];
  const { sessionId } = state.session!;
  return [{ type: 'VoiceSpeakingChanged', data: { sessionId, revoltId: state.revoltId, channelId: state.channelId, userId: command.userId, speaking, at: command.at } }];
}

/** From the media layer: a producer's id per kind; a camera or screen stream only while that is turned on. */
export function setStream(command: VoiceChannelCommandOf<'SetVoiceStream'>, state: VoiceChannelState): VoiceChannelEvent[] {
  const { userId, kind, streamId } = command;
  const participant = participantOf(state.session?.participants, userId);
  if (streamId !== null && kind === 'video' && !participant.video) throw ruleBroken('video_not_enabled', 'turn the camera on before publishing video');
  if (streamId !== null && kind === 'screen' && !participant.screenShare) {
    throw ruleBroken('screen_share_not_enabled', 'turn screen sharing on before publishing the screen');
  }
  if ((participant.streams[kind] ?? null) === streamId) return [];
  const { sessionId } = state.session!;
  return [{ type: 'VoiceStreamSet', data: { sessionId, revoltId: state.revoltId, channelId: state.channelId, userId, kind, streamId, at: command.at } }];
}
