import type { Decider } from '../decider.ts';
import { AppError, conflict, notFound, ruleBroken } from '../errors.ts';
import { channelAccess, requireChannel, requireRevoltPermission } from '../permissions/access.ts';
import { requireFeature } from '../progress/features.ts';
import type { PersonalInviteCommand, PersonalInviteCommandOf } from './commands.ts';
import type { PersonalInviteEvent } from './events.ts';
import { expiryOf } from './rules.ts';
import { evolvePersonalInvites, initialPersonalInvitesState, isOpen, type PersonalInvite, type PersonalInvitesState } from './state.ts';

const isVoice = (type: string | undefined) => type === 'voice' || type === 'video';

/**
 * What the inviter must hold: for a revolt, CREATE_INVITES there and the feature `create_invites` (as for invite
 * codes); for a voice channel, the right to view it and CONNECT, and the channel must be a voice or video one. A
 * revolt or channel the inviter cannot see is 404, a missing permission 403.
 */
function authoriseInviter(command: PersonalInviteCommandOf<'SendPersonalInvite'>): void {
  const { revolt, inviterId, channelId } = command;
  if (command.kind === 'revolt') {
    requireRevoltPermission(revolt, inviterId, 'CREATE_INVITES');
    requireFeature(command.features, 'create_invites');
    return;
  }
  const { channel } = requireChannel(revolt, inviterId, channelId ?? '', ['CONNECT']);
  if (!isVoice(channel.type)) throw ruleBroken('not_a_voice_channel', 'a voice invite needs a voice or video channel');
}

/**
 * Who may be invited: anyone registered but the inviter; to a revolt, someone not yet a member (bans are judged
 * when the invite is accepted, as for invite codes); to a voice channel, a member who may view it and CONNECT
 * (a voice invite carries no membership: invite them to the revolt first).
 */
function checkInvitee(command: PersonalInviteCommandOf<'SendPersonalInvite'>, state: PersonalInvitesState): void {
  const { revolt, inviterId, inviteeId } = command;
  if (inviteeId === inviterId) throw ruleBroken('cannot_invite_self', 'you cannot invite yourself');
  if (!command.inviteeExists) throw notFound('user');
  if (command.kind === 'revolt' && revolt.members.has(inviteeId)) throw conflict('already_member', 'the user is a member of this revolt already');
  if (command.kind === 'voice' && !channelAccess(revolt, inviteeId, command.channelId ?? '', ['CONNECT']).allowed) {
    throw ruleBroken('invitee_cannot_join', 'the user may not join this voice channel (not a member, or cannot view it or connect to it)');
  }
  if (state.onlyFromSharedRevolts && !command.sharesRevolt) {
    throw new AppError('invites_blocked', 'the user accepts invites only from members of revolts they are in');
  }
}

const sameTarget = (invite: PersonalInvite, command: PersonalInviteCommandOf<'SendPersonalInvite'>) =>
  invite.inviterId === command.inviterId && invite.kind === command.kind && invite.revoltId === command.revolt.revoltId && invite.channelId === command.channelId;

function send(command: PersonalInviteCommandOf<'SendPersonalInvite'>, state: PersonalInvitesState): PersonalInviteEvent[] {
  authoriseInviter(command);
  checkInvitee(command, state);
  const pending = [...state.invites.values()].find((invite) => isOpen(invite, command.at) && sameTarget(invite, command));
  if (pending) throw conflict('personal_invite_pending', 'you have invited this user here already', { inviteId: pending.inviteId });
  const { inviteId, kind, channelId, inviterId, inviteeId, at } = command;
  const data = { inviteId, kind, revoltId: command.revolt.revoltId, channelId, inviterId, inviteeId, sentAt: at, expiresAt: expiryOf(at) };
  return [{ type: 'PersonalInviteSent', data }];
}

/** The invite an answer is about: only its invitee sees it (it is on their stream); answering it twice the same way changes nothing. */
export function answerable(command: PersonalInviteCommandOf<'AcceptPersonalInvite' | 'DeclinePersonalInvite'>, state: PersonalInvitesState): PersonalInvite | null {
  const invite = state.invites.get(command.inviteId);
  if (!invite) throw notFound('invite');
  const wanted = command.type === 'AcceptPersonalInvite' ? 'accepted' : 'declined';
  if (invite.status === wanted) return null;
  if (invite.status !== 'pending') throw conflict('personal_invite_answered', `the invite was ${invite.status} already`);
  if (invite.expiresAt <= command.at) throw ruleBroken('personal_invite_expired', `the invite expired at ${invite.expiresAt}`);
  return invite;
}

function answer(command: PersonalInviteCommandOf<'AcceptPersonalInvite' | 'DeclinePersonalInvite'>, state: PersonalInvitesState): PersonalInviteEvent[] {
  if (!answerable(command, state)) return [];
  const { inviteId, inviteeId, at } = command;
  return command.type === 'AcceptPersonalInvite'
    ? [{ type: 'PersonalInviteAccepted', data: { inviteId, inviteeId, acceptedAt: at } }]
    : [{ type: 'PersonalInviteDeclined', data: { inviteId, inviteeId, declinedAt: at } }];
}

/**
 * One invitee's personal invites: invites to a revolt (accepting joins it as an invite code would) and to a
 * voice channel. At most one open invite per inviter and target; an invitee who accepts invites only from shared
 * revolts refuses the others (403 `invites_blocked`, nothing recorded).
 */
export const personalInvitesDecider: Decider<PersonalInviteCommand, PersonalInvitesState, PersonalInviteEvent> = {
  initialState: initialPersonalInvitesState,
  evolve: evolvePersonalInvites,
  decide(command, state) {
    switch (command.type) {
      case 'SendPersonalInvite':
        return send(command, state);
      case 'AcceptPersonalInvite':
      case 'DeclinePersonalInvite':
        return answer(command, state);
      case 'SetPersonalInviteSettings':
        if (command.onlyFromSharedRevolts === state.onlyFromSharedRevolts) return [];
        return [{ type: 'PersonalInviteSettingsChanged', data: { userId: command.userId, onlyFromSharedRevolts: command.onlyFromSharedRevolts, at: command.at } }];
    }
  },
};

export const personalInvitesStream = (inviteeId: string) => `personal-invites-${inviteeId}`;
