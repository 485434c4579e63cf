import { z } from 'zod';
import { idSchema } from '../../events/ids.ts';
import type { FeatureAccess } from '../progress/features.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { AccountStanding } from '../users/standing.ts';
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

/**
 * A leave that completes a switch or a move ends only the stay that began at `joinedAt`: given again later (a
 * reactor's redelivery), it must not end a stay that began since. Without it, whatever stay there is.
 */
interface OneStay {
  joinedAt?: string;
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
      /**
       * The channel the moderator moves them from: the whole move is decided here (their MOVE_MEMBERS in both
       * channels and the hierarchy), so that the stay it ends there is a consequence, not a second decision.
       */
      movedFrom?: string;
      /** Flags carried over from the channel they were moved out of. */
      carried?: Pick<VoiceFlags, 'video' | 'screenShare'>;
      /** The joiner's account, looked up only when the revolt's verification level applies to a join of their own (verificationApplies). */
      account?: AccountStanding;
    })
  /** Leaving on one's own (or for one's connection, or by joining elsewhere): needs no permission. */
  | (OnChannel & { type: 'LeaveVoice'; userId: string; reason: Extract<LeaveReason, 'left' | 'switched' | 'connection_lost'> } & OneStay)
  /**
   * `features`: the actor's standing in the course, looked up only when the patch turns the camera (the feature
   * `video`) or screen sharing (`screen_share`) on: nothing else it changes is gated.
   */
  | (WithRevolt & { type: 'UpdateVoiceSelf'; actorId: string; patch: VoiceSelfPatch; features?: FeatureAccess })
  | (OnChannel & { type: 'SetSpeaking'; userId: string; speaking: boolean })
  | (OnChannel & { type: 'SetVoiceStream'; userId: string; kind: StreamKind; streamId: string | null })
  | (WithRevolt & { type: 'ServerMute' | 'ServerDeafen'; actorId: string; userId: string; value: boolean })
  /** Moving someone out of this channel: the second half of a move, once a JoinVoice with `movedBy` got them into the target. */
  | (WithRevolt & { type: 'MoveVoiceMember'; actorId: string; userId: string; toChannelId: string } & OneStay)
  | (WithRevolt & { type: 'DisconnectVoiceMember'; actorId: string; userId: string })
  /** Removes every participant who may no longer be here (left the revolt, lost access, channel deleted). */
  | (WithRevolt & { type: 'SweepVoice' });

export type VoiceChannelCommandOf<T extends VoiceChannelCommand['type']> = Extract<VoiceChannelCommand, { type: T }>;

export type VoiceUserCommand =
  /**
   * Records the channel the user is in, once they have joined it: `joinedAt` names that stay (a claim for a stay
   * that began no later than the one claimed changes nothing), `movedBy` the moderator who moved them there.
   */
  | { type: 'ClaimVoiceChannel'; userId: string; revoltId: string; channelId: string; joinedAt?: string; movedBy?: string; at: string }
  /** Releases the claim on `channelId` (a claim on another channel is left alone). */
  | { type: 'ReleaseVoiceChannel'; userId: string; channelId: string; at: string }
  | { type: 'SetVoiceModeration'; userId: string; revoltId: string; by: string; serverMute?: boolean; serverDeaf?: boolean; at: string };
