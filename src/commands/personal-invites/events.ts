import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';

export const personalInviteKindSchema = z.enum(['revolt', 'voice']);
export type PersonalInviteKind = z.infer<typeof personalInviteKindSchema>;

/**
 * Events of an invitee's stream (`personal-invites-<inviteeId>`): the invites sent to them, their answers, and
 * their setting for who may invite them.
 */
export const personalInviteEventSchemas = {
  PersonalInviteSent: z.object({
    inviteId: idSchema,
    kind: personalInviteKindSchema,
    revoltId: idSchema,
    /** The voice channel of a `voice` invite; null for a `revolt` invite. */
    channelId: idSchema.nullable(),
    inviterId: idSchema,
    inviteeId: idSchema,
    sentAt: isoDate,
    expiresAt: isoDate,
  }),
  PersonalInviteAccepted: z.object({ inviteId: idSchema, inviteeId: idSchema, acceptedAt: isoDate }),
  PersonalInviteDeclined: z.object({ inviteId: idSchema, inviteeId: idSchema, declinedAt: isoDate }),
  /** `onlyFromSharedRevolts`: invites are accepted only from users who share a revolt with the invitee. */
  PersonalInviteSettingsChanged: z.object({ userId: idSchema, onlyFromSharedRevolts: z.boolean(), at: isoDate }),
} as const;

export type PersonalInviteEvent = EventsOf<typeof personalInviteEventSchemas>;
export type PersonalInviteEventOf<T extends PersonalInviteEvent['type']> = Extract<PersonalInviteEvent, { type: T }>;
