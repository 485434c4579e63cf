import type { Document } from 'mongodb';
import { rewriteGuarded, updateGuarded } from '../engine/guard.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { asDomainEvent } from '../event-types.ts';

/** One open invite as listed to its invitee. */
export interface PendingInviteDocument {
  id: string;
  kind: 'revolt' | 'voice';
  revoltId: string;
  channelId: string | null;
  inviterId: string;
  inviteeId: string;
  sentAt: Date;
  expiresAt: Date;
}

/**
 * `personalInvites`: one document per invitee (`_id` their id: FerretDB scans on any other filter) listing the
 * invites sent to them that they have not answered, oldest first. Expired ones are left out when read (expiry is a
 * matter of the clock, not of an event) and dropped from the document when a later invite arrives.
 */
export const personalInvitesReadModel: ReadModel = {
  name: 'personalInvites',
  collections: [{ name: 'personalInvites', indexes: [] }],
  async apply(recorded, ctx) {
    const event = asDomainEvent(recorded);
    const invites = ctx.collection('personalInvites');
    switch (event.type) {
      case 'PersonalInviteSent': {
        const { inviteId, sentAt, expiresAt, ...rest } = event.data;
        const pending: PendingInviteDocument = { id: inviteId, ...rest, sentAt: new Date(sentAt), expiresAt: new Date(expiresAt) };
        const filter = { _id: rest.inviteeId } as Document;
        // Invites expired by the time this one was sent leave the list (by the event's time, so a rebuild agrees).
        const kept = await rewriteGuarded(invites, filter, event.position, (doc) => {
          doc.invites = [...(doc.invites as PendingInviteDocument[]).filter((invite) => invite.expiresAt > pending.sentAt), pending];
        });
        if (!kept) await updateGuarded(invites, filter, { $push: { invites: pending } } as Document, event.position, { upsert: true });
        return;
      }
      case 'PersonalInviteAccepted':
      case 'PersonalInviteDeclined': {
        const { inviteId, inviteeId } = event.data;
        await rewriteGuarded(invites, { _id: inviteeId } as Document, event.position, (doc) => {
          doc.invites = (doc.invites as PendingInviteDocument[]).filter((invite) => invite.id !== inviteId);
        });
        return;
      }
      default:
    }
  },
};
