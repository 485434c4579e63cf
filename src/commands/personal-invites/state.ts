import type { PersonalInviteEvent, PersonalInviteKind } from './events.ts';

export interface PersonalInvite {
  inviteId: string;
  kind: PersonalInviteKind;
  revoltId: string;
  channelId: string | null;
  inviterId: string;
  sentAt: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'declined';
}

/** One invitee's invites (those not yet expired when the last one was sent) and their setting. */
export interface PersonalInvitesState {
  onlyFromSharedRevolts: boolean;
  invites: ReadonlyMap<string, PersonalInvite>;
}

export const initialPersonalInvitesState: PersonalInvitesState = { onlyFromSharedRevolts: false, invites: new Map() };

/** Whether the invite is still open at `at`: pending and not expired. */
export const isOpen = (invite: PersonalInvite, at: string): boolean => invite.status === 'pending' && invite.expiresAt > at;

function answered(state: PersonalInvitesState, inviteId: string, status: PersonalInvite['status']): PersonalInvitesState {
  const invite = state.invites.get(inviteId);
  if (!invite) return state;
  return { ...state, invites: new Map(state.invites).set(inviteId, { ...invite, status }) };
}

/**
 * Copy-on-write: states handed out by the handler's cache are never mutated. Each sent invite drops those expired
 * by then (whatever their answer), so the state holds at most what the senders' rate limit lets in per lifetime.
 */
export function evolvePersonalInvites(state: PersonalInvitesState, event: PersonalInviteEvent): PersonalInvitesState {
  switch (event.type) {
    case 'PersonalInviteSent': {
      const { inviteeId: _, ...invite } = event.data;
      const invites = new Map([...state.invites].filter(([, kept]) => kept.expiresAt > invite.sentAt));
      invites.set(invite.inviteId, { ...invite, status: 'pending' });
      return { ...state, invites };
    }
    case 'PersonalInviteAccepted':
      return answered(state, event.data.inviteId, 'accepted');
    case 'PersonalInviteDeclined':
      return answered(state, event.data.inviteId, 'declined');
    case 'PersonalInviteSettingsChanged':
      return { ...state, onlyFromSharedRevolts: event.data.onlyFromSharedRevolts };
  }
}
