import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { LeaveReason, StreamKind, VoiceFlags } from './events.ts';

/** What clients send (gateway or HTTP): validated with these before anything reaches a decider. */
export const joinVoiceSchema = z.object({
  channelId: idSchema,
  selfMute: z.boolean().optional(),
  selfDeaf: z.boolean().optional(),
}).strict();

export const voiceSelfPatchSchema = z
  .object({ selfMute: z.boolean(), selfDeaf: z.boolean(), video: z.boolean(), screenShare: z.boolean() })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'change at least one of selfMute, selfDeaf, video, screenShare');
export type VoiceSelfPatch = z.infer<typeof voiceSelfPatchSchema>;

export const moderateVoiceSchema = z
  .object({ serverMute: z.boolean(), serverDeaf: z.boolean() })
  .partial()
  .strict()
  .refine((body) => body.serverMute !== undefined || body.serverDeaf !== undefined, 'set serverMute, serverDeaf or both');
export const moveVoiceSchema = z.object({ channelId: idSchema }).strict();

/** What every command on a voice channel carries. */
interface OnChannel {
  channelId: string;
  at: string;
}

/** Commands that check permissions carry the revolt as loaded by the handler (like message commands). */
interface WithRevolt extends OnChannel {
  revolt: RevoltState;
}

export type VoiceChannelCommand =
  | (WithRevolt & {
      type: 'JoinVoice';
      userId: string;
      /** The session id to use if this join starts one (generated at command time). */
      sessionId: string;
      selfMute: boolean;
      selfDeaf: boolean;
      /** Standing server mute/deafen of the user in this revolt (from their voice stream). */
      serverMute: boolean;
      serverDeaf: boolean;
      /** A moderator moving the user in: MOVE_MEMBERS of theirs instead of the user's CONNECT. */
      movedBy?: string;
      /** Flags carried over from the channel they were moved out of. */
      carried?: Pick<VoiceFlags, 'video' | 'screenShare'>;
    })
  /** Leaving on one's own (or for one's connection): needs no permission. */
  | (OnChannel & { type: 'LeaveVoice'; userId: string; reason: Extract<LeaveReason, 'left' | 'switched' | 'connection_lost'> })
  | (WithRevolt & { type: 'UpdateVoiceSelf'; actorId: string; patch: VoiceSelfPatch })
  | (OnChannel & { type: 'SetSpeaking'; userId: string; speaking: boolean })
  | (OnChannel & { type: 'SetVoiceStream'; userId: string; kind: StreamKind; streamId: string | null })
  | (WithRevolt & { type: 'ServerMute' | 'ServerDeafen'; actorId: string; userId: string; value: boolean })
  /** The first half of a move, on the channel the user leaves; the second is a JoinVoice with `movedBy` on the target. */
  | (WithRevolt & { type: 'MoveVoiceMember'; actorId: string; userId: string; toChannelId: string })
  | (WithRevolt & { type: 'DisconnectVoiceMember'; actorId: string; userId: string })
  /** Removes every participant who may no longer be here (left the revolt, lost access, channel deleted). */
  | (WithRevolt & { type: 'SweepVoice' });

export type VoiceChannelCommandOf<T extends VoiceChannelCommand['type']> = Extract<VoiceChannelCommand, { type: T }>;

export type VoiceUserCommand =
  | { type: 'ClaimVoiceChannel'; userId: string; revoltId: string; channelId: string; at: string }
  /** Releases the claim on `channelId` (a claim on another channel is left alone). */
  | { type: 'ReleaseVoiceChannel'; userId: string; channelId: string; at: string }
  | { type: 'SetVoiceModeration'; userId: string; revoltId: string; by: string; serverMute?: boolean; serverDeaf?: boolean; at: string };
