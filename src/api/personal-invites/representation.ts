import { z } from 'zod';
import { personalInviteKindSchema } from '../../commands/personal-invites/events.ts';
import type { PersonalInvite } from '../../commands/personal-invites/state.ts';
import { idSchema } from '../../events/ids.ts';
import type { PendingInviteDocument } from '../../projections/personal-invites/read-model.ts';

export const personalInviteSchema = z.object({
  id: idSchema,
  kind: personalInviteKindSchema,
  revoltId: idSchema,
  /** The voice channel of a `voice` invite; null for a `revolt` invite. */
  channelId: idSchema.nullable(),
  inviterId: idSchema,
  inviteeId: idSchema,
  status: z.enum(['pending', 'accepted', 'declined']),
  sentAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type PersonalInviteView = z.infer<typeof personalInviteSchema>;

export const personalInviteListSchema = z.object({ items: z.array(personalInviteSchema) });

export const inviteSettingsSchema = z.object({
  /** Refuse personal invites from users who share no revolt with me (403 `invites_blocked` to them). */
  onlyFromSharedRevolts: z.boolean(),
});

/** An invite as its aggregate holds it (what commands answer). */
export function inviteView(invite: PersonalInvite, inviteeId: string): PersonalInviteView {
  const { inviteId, kind, revoltId, channelId, inviterId, status, sentAt, expiresAt } = invite;
  return { id: inviteId, kind, revoltId, channelId, inviterId, inviteeId, status, sentAt, expiresAt };
}

/** An open invite as the read model lists it. */
export function pendingView(doc: PendingInviteDocument): PersonalInviteView {
  const { id, kind, revoltId, channelId, inviterId, inviteeId, sentAt, expiresAt } = doc;
  return { id, kind, revoltId, channelId, inviterId, inviteeId, status: 'pending', sentAt: sentAt.toISOString(), expiresAt: expiresAt.toISOString() };
}
