import { AppError, notFound, ruleBroken } from '../errors.ts';
import { channelAccess, requireChannel, requireHeld, type ChannelGrant } from '../permissions/access.ts';
import type { Permission } from '../permissions/catalogue.ts';
import { assertOutranks } from '../permissions/hierarchy.ts';
import type { ChannelState, RevoltState } from '../revolts/state.ts';
import type { VoiceFlags, VoiceSettings } from './events.ts';
import { isDeafened, isMuted, type VoiceParticipantState } from './state.ts';

/** The largest `maxMembers` a channel can set; a channel without one holds at most this many. */
const DEFAULT_MAX_PARTICIPANTS = 99;
const DEFAULT_BITRATE = 64_000;
/** Opus runs at 48 kHz. */
const SAMPLE_RATE = 48_000;

/** Milliseconds from one ISO time to a later one (never negative). */
export const elapsedMs = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));

export const isMediaChannel = (channel: ChannelState) => channel.type === 'voice' || channel.type === 'video';

export const maxParticipants = (channel: ChannelState) => channel.settings.maxMembers ?? DEFAULT_MAX_PARTICIPANTS;

/** A voice or video channel the user can see, with their permissions in it (404 if they can't see it, 422 if not voice). */
export function voiceChannelFor(revolt: RevoltState, userId: string, channelId: string): ChannelGrant<ChannelState> {
  const grant = requireChannel(revolt, userId, channelId);
  if (!isMediaChannel(grant.channel)) throw ruleBroken('not_a_voice_channel', 'only voice and video channels have voice sessions');
  return grant;
}

/**
 * Whether a participant may still be in the channel: a member of the live revolt, the channel still a voice or
 * video channel they can see, and CONNECT, unless a moderator moved them in (they then need only to see it).
 */
export function canStay(revolt: RevoltState, channelId: string, participant: Pick<VoiceParticipantState, 'userId' | 'movedBy'>): boolean {
  const access = channelAccess(revolt, participant.userId, channelId, participant.movedBy !== undefined ? [] : ['CONNECT']);
  return access.allowed && isMediaChannel(access.channel);
}

export function assertCanStay(revolt: RevoltState, channelId: string, participant: VoiceParticipantState): void {
  if (!canStay(revolt, channelId, participant)) {
    throw new AppError('voice_access_lost', 'you may no longer be in this voice channel, so you have been disconnected from it');
  }
}

/**
 * A moderator acting on a participant of `channelId`: `permission` in that channel, and, on someone else, the
 * kick hierarchy (their highest role below the actor's; the owner outranks all and can't be the target).
 */
export function assertModerates(revolt: RevoltState, actorId: string, channelId: string, targetId: string, permission: Permission): void {
  const { bits, subject } = voiceChannelFor(revolt, actorId, channelId);
  requireHeld(bits, [permission], 'that');
  if (targetId !== actorId) assertOutranks(revolt, subject, targetId);
}

/**
 * A moderator moving `targetId` from one channel to another: MOVE_MEMBERS in both and the kick hierarchy in the
 * one they leave; the member need not have CONNECT in the target, as in Discord.
 */
export function assertMayMove(revolt: RevoltState, actorId: string, fromChannelId: string, toChannelId: string, targetId: string): void {
  assertModerates(revolt, actorId, fromChannelId, targetId, 'MOVE_MEMBERS');
  requireHeld(voiceChannelFor(revolt, actorId, toChannelId).bits, ['MOVE_MEMBERS'], 'moving members into it');
}

export function participantOf(participants: ReadonlyMap<string, VoiceParticipantState> | undefined, userId: string): VoiceParticipantState {
  const participant = participants?.get(userId);
  if (!participant) throw notFound('voice participant');
  return participant;
}

/** The settings a session starts with: the channel's, else the revolt's region and our defaults. */
export function sessionSettings(revolt: RevoltState, channel: ChannelState): VoiceSettings {
  const { bitrate, region } = channelSettingsView(revolt, channel);
  return {
    maxParticipants: maxParticipants(channel),
    bitrate,
    sampleRate: SAMPLE_RATE,
    region,
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  };
}

export interface VoiceChannelSettingsView {
  bitrate: number;
  /** null: no limit of the channel's own (DEFAULT_MAX_PARTICIPANTS still applies). */
  maxMembers: number | null;
  videoQuality: 'auto' | '720p' | '1080p' | null;
  region: string;
}

export function channelSettingsView(revolt: RevoltState, channel: ChannelState): VoiceChannelSettingsView {
  return {
    bitrate: channel.settings.bitrate ?? DEFAULT_BITRATE,
    maxMembers: channel.settings.maxMembers ?? null,
    videoQuality: channel.settings.videoQuality ?? null,
    region: channel.settings.region ?? revolt.settings.region,
  };
}

export interface VoiceParticipantView {
  userId: string;
  username: string;
  /** Effective: self-muted, self-deafened or server-muted/deafened. */
  isMuted: boolean;
  isDeafened: boolean;
  isSpeaking: boolean;
  isVideoEnabled: boolean;
  isScreenSharing: boolean;
  selfMute: boolean;
  selfDeaf: boolean;
  serverMute: boolean;
  serverDeaf: boolean;
  joinedAt: string;
  streams: { audio?: string; video?: string; screen?: string };
}

/** The effective flags a client sees (API views and read models alike). */
export function flagView(flags: VoiceFlags): Pick<VoiceParticipantView, 'isMuted' | 'isDeafened' | 'isVideoEnabled' | 'isScreenSharing'> {
  return { isMuted: isMuted(flags), isDeafened: isDeafened(flags), isVideoEnabled: flags.video, isScreenSharing: flags.screenShare };
}

export function participantView(p: VoiceParticipantState): VoiceParticipantView {
  return {
    userId: p.userId,
    username: p.username,
    ...flagView(p),
    isSpeaking: p.speaking,
    selfMute: p.selfMute,
    selfDeaf: p.selfDeaf,
    serverMute: p.serverMute,
    serverDeaf: p.serverDeaf,
    joinedAt: p.joinedAt,
    streams: { ...p.streams },
  };
}
