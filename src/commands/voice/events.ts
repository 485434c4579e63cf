import { z } from 'zod';
import { idSchema, isoDate } from '../../events/ids.ts';
import type { EventsOf } from '../../events/catalogue.ts';

/**
 * Events of the voice module, on two kinds of stream (see decide.ts for why):
 * - `voice-channel-<channelId>`: the channel's sessions, one after another. A session starts with its first
 *   participant and ends with its last; every event names its session, revolt and channel.
 * - `voice-user-<userId>`: which voice channel the user is in (the one-channel-per-user rule) and the server
 *   mute/deafen moderators gave them in each revolt (it outlives a reconnect, as in Discord).
 *
 * Times are ISO strings. Every event that ends a stretch of time (a participant leaving, a screen share
 * stopping, a session ending) carries its length in milliseconds, so projections add it up on their own,
 * without state: the users' `stats.voiceTime`/`screenShareTime` come out exact after any replay.
 */
const onSession = { sessionId: idSchema, revoltId: idSchema, channelId: idSchema };
const ms = z.number().int().nonnegative();

export const voiceFlagsSchema = z.object({
  selfMute: z.boolean(),
  selfDeaf: z.boolean(),
  serverMute: z.boolean(),
  serverDeaf: z.boolean(),
  video: z.boolean(),
  screenShare: z.boolean(),
});
export type VoiceFlags = z.infer<typeof voiceFlagsSchema>;

export const streamKindSchema = z.enum(['audio', 'video', 'screen']);
export type StreamKind = z.infer<typeof streamKindSchema>;

/** Why someone left: themselves, switching to another channel, their connection, a moderator, or losing access. */
export const leaveReasonSchema = z.enum(['left', 'switched', 'connection_lost', 'moved', 'disconnected', 'removed']);
export type LeaveReason = z.infer<typeof leaveReasonSchema>;

/** The settings a session runs with (the seed's VoiceSettings), fixed from the channel when it starts. */
export const voiceSettingsSchema = z.object({
  maxParticipants: z.number().int().min(1),
  bitrate: z.number().int().positive(),
  sampleRate: z.number().int().positive(),
  region: z.string(),
  echoCancellation: z.boolean(),
  noiseSuppression: z.boolean(),
  autoGainControl: z.boolean(),
});
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

export const voiceEventSchemas = {
  VoiceSessionStarted: z.object({ ...onSession, settings: voiceSettingsSchema, startedAt: isoDate }),
  VoiceParticipantJoined: z.object({
    ...onSession,
    userId: idSchema,
    username: z.string(),
    ...voiceFlagsSchema.shape,
    /** The moderator who moved them in, when they did not join themselves (they then need no CONNECT). */
    movedBy: idSchema.optional(),
    joinedAt: isoDate,
  }),
  VoiceParticipantLeft: z.object({
    ...onSession,
    userId: idSchema,
    reason: leaveReasonSchema,
    /** The moderator, for `moved` and `disconnected`. */
    by: idSchema.optional(),
    /** Where a `moved` participant went. */
    toChannelId: idSchema.optional(),
    joinedAt: isoDate,
    leftAt: isoDate,
    /** leftAt − joinedAt. */
    durationMs: ms,
    /** Screen sharing that was still on when they left (its start to leftAt); 0 when it was off. */
    screenShareMs: ms,
  }),
  /** A participant's flags after a change by themselves (`by` = them) or a moderator. */
  VoiceStateChanged: z.object({
    ...onSession,
    userId: idSchema,
    by: idSchema,
    ...voiceFlagsSchema.shape,
    /** Length of the screen share this change stopped; absent when none stopped. */
    screenShareMs: ms.optional(),
    at: isoDate,
  }),
  /** From the media layer's audio-level observer (debounced there); only changes are recorded. */
  VoiceSpeakingChanged: z.object({ ...onSession, userId: idSchema, speaking: z.boolean(), at: isoDate }),
  /** The media layer's stream (producer) id of one kind for a participant; null when it closed. */
  VoiceStreamSet: z.object({ ...onSession, userId: idSchema, kind: streamKindSchema, streamId: z.string().min(1).max(128).nullable(), at: isoDate }),
  VoiceSessionEnded: z.object({ ...onSession, startedAt: isoDate, endedAt: isoDate, durationMs: ms }),

  /**
   * The user is in `channelId` now (the stay that began at `joinedAt`); they were in `previousChannelId` (the stay
   * that began at `previousJoinedAt`), which the switch, or the move by `movedBy`, ends next.
   */
  VoiceChannelClaimed: z.object({
    userId: idSchema,
    revoltId: idSchema,
    channelId: idSchema,
    joinedAt: isoDate.optional(),
    previousChannelId: idSchema.optional(),
    previousJoinedAt: isoDate.optional(),
    movedBy: idSchema.optional(),
    at: isoDate,
  }),
  VoiceChannelReleased: z.object({ userId: idSchema, revoltId: idSchema, channelId: idSchema, at: isoDate }),
  VoiceModerationSet: z.object({ userId: idSchema, revoltId: idSchema, serverMute: z.boolean(), serverDeaf: z.boolean(), by: idSchema, at: isoDate }),
} as const;

type Schemas = typeof voiceEventSchemas;
type EventOf<K extends keyof Schemas> = EventsOf<Schemas, K>;

/** Events of a voice channel's stream. */
export type VoiceChannelEvent = EventOf<
  'VoiceSessionStarted' | 'VoiceParticipantJoined' | 'VoiceParticipantLeft' | 'VoiceStateChanged' | 'VoiceSpeakingChanged' | 'VoiceStreamSet' | 'VoiceSessionEnded'
>;
/** Events of a user's voice stream. */
export type VoiceUserEvent = EventOf<'VoiceChannelClaimed' | 'VoiceChannelReleased' | 'VoiceModerationSet'>;
export type VoiceEvent = VoiceChannelEvent | VoiceUserEvent;
export type VoiceEventOf<K extends VoiceEvent['type']> = Extract<VoiceEvent, { type: K }>;
