import { z } from 'zod';
import { voiceSettingsSchema } from '../../commands/voice/events.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

const streams = z.object({ audio: z.string().optional(), video: z.string().optional(), screen: z.string().optional() }).describe('producer ids by kind');
const effectiveFlags = {
  isMuted: z.boolean().describe('self- or server-muted'),
  isDeafened: z.boolean().describe('self- or server-deafened'),
  isSpeaking: z.boolean(),
  isVideoEnabled: z.boolean(),
  isScreenSharing: z.boolean(),
};

/** A participant as a voice command answers them: effective flags and the self/server ones behind them. */
const participantSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    ...effectiveFlags,
    selfMute: z.boolean(),
    selfDeaf: z.boolean(),
    serverMute: z.boolean(),
    serverDeaf: z.boolean(),
    joinedAt: timestamp,
    streams,
  })
  .meta({ id: 'VoiceParticipant' });

/** A change of one participant's state (their own or a moderator's). */
export const voiceStateSchema = z.object({ channelId: z.string(), sessionId: z.string(), participant: participantSchema });

/** A moderator's move of a participant to another channel. */
export const voiceMovedSchema = z.object({ fromChannelId: z.string(), toChannelId: z.string(), sessionId: z.string(), participant: participantSchema });

/** A voice session as the `voiceSessions` read model holds it (those who left keep their row, with `leftAt`). */
export const voiceSessionSchema = z
  .object({
    id: z.string(),
    revoltId: objectId,
    channelId: objectId,
    participants: z.array(
      z.object({
        userId: objectId,
        username: z.string(),
        ...effectiveFlags,
        joinedAt: timestamp,
        leftAt: timestamp.optional(),
        streamId: z.string().optional().describe('the main stream: audio, else video, else the screen share'),
        streams,
      }),
    ),
    settings: voiceSettingsSchema,
    startedAt: timestamp,
    endedAt: timestamp.optional(),
    isActive: z.boolean(),
  })
  .meta({ id: 'VoiceSession' });
export type VoiceSession = z.input<typeof voiceSessionSchema>;
