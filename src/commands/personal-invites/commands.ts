import type { FeatureAccess } from '../progress/features.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { PersonalInviteKind } from './events.ts';

/**
 * Commands on an invitee's stream. A send carries what the handler loaded for the rules (decide stays pure): the
 * revolt as the command handler holds it, whether the invitee is registered, whether inviter and invitee share a
 * revolt (asked only when the invitee accepts invites from shared revolts alone), and the inviter's standing in the
 * course (a revolt invite is the feature `create_invites`, as invite codes are).
 */
export type PersonalInviteCommand =
  | {
      type: 'SendPersonalInvite';
      inviteId: string;
      kind: PersonalInviteKind;
      revolt: RevoltState;
      /** The voice channel of a `voice` invite; null for a `revolt` invite. */
      channelId: string | null;
      inviterId: string;
      inviteeId: string;
      inviteeExists: boolean;
      sharesRevolt: boolean;
      features: FeatureAccess;
      at: string;
    }
  | { type: 'AcceptPersonalInvite' | 'DeclinePersonalInvite'; inviteId: string; inviteeId: string; at: string }
  | { type: 'SetPersonalInviteSettings'; userId: string; onlyFromSharedRevolts: boolean; at: string };

export type PersonalInviteCommandOf<T extends PersonalInviteCommand['type']> = Extract<PersonalInviteCommand, { type: T }>;
