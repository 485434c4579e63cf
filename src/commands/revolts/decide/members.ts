import { conflict, forbidden, notFound, ruleBroken } from '../../errors.ts';
import { memberSubject, requireOwner, requireRevoltPermission } from '../../permissions/access.ts';
import { assertOutranks } from '../../permissions/hierarchy.ts';
import type { RevoltCommandOf } from '../commands.ts';
import type { RevoltEvent } from '../events.ts';
import type { RevoltState } from '../state.ts';

export function join(command: RevoltCommandOf<'JoinRevolt'>, state: RevoltState): RevoltEvent[] {
  // A personal invite admits while its inviter is a member; it is otherwise judged as an invite code would be.
  const admitted = 'personalInvite' in command ? state.members.has(command.personalInvite.inviterId) : state.inviteCode === command.inviteCode;
  if (!state.exists || state.deleted || !admitted) throw notFound('invite');
  if (state.members.has(command.user.userId)) return [];
  if (state.bans.has(command.user.userId)) throw forbidden('you are banned from this revolt');
  if (!state.settings.allowInvites) throw ruleBroken('invites_disabled', 'this revolt does not accept invites');
  if (state.members.size >= state.settings.maxMembers) {
    throw ruleBroken('revolt_full', `this revolt has reached its limit of ${state.settings.maxMembers} members`);
  }
  const { userId, username, presence } = command.user;
  const via = 'personalInvite' in command ? { personalInviteId: command.personalInvite.inviteId } : { inviteCode: command.inviteCode };
  const data = { revoltId: state.revoltId, revoltName: state.name, userId, username, isOwner: false, ownerId: state.ownerId, ...via, ...(presence && { presence }), joinedAt: command.at };
  return [{ type: 'MemberJoined', data }];
}

export function leave(command: RevoltCommandOf<'LeaveRevolt'>, state: RevoltState): RevoltEvent[] {
  memberSubject(state, command.actorId);
  if (command.actorId === state.ownerId) {
    throw ruleBroken('owner_cannot_leave', 'the owner must transfer ownership or delete the revolt before leaving');
  }
  return [{ type: 'MemberLeft', data: { revoltId: state.revoltId, userId: command.actorId, at: command.at } }];
}

export function kick(command: RevoltCommandOf<'KickMember'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'KICK_MEMBERS');
  if (!state.members.has(command.userId)) throw notFound('member');
  if (command.userId === command.actorId) throw ruleBroken('cannot_kick_self', 'leave the revolt instead of kicking yourself');
  assertOutranks(state, actor, command.userId);
  const { reason } = command;
  return [{ type: 'MemberKicked', data: { revoltId: state.revoltId, userId: command.userId, by: command.actorId, ...(reason && { reason }), at: command.at } }];
}

export function ban(command: RevoltCommandOf<'BanMember'>, state: RevoltState): RevoltEvent[] {
  const actor = requireRevoltPermission(state, command.actorId, 'BAN_MEMBERS');
  if (command.userId === command.actorId) throw ruleBroken('cannot_ban_self', 'you cannot ban yourself');
  assertOutranks(state, actor, command.userId);
  if (state.bans.has(command.userId)) return [];
  const { reason } = command;
  const wasMember = state.members.has(command.userId);
  return [{ type: 'MemberBanned', data: { revoltId: state.revoltId, userId: command.userId, by: command.actorId, ...(reason && { reason }), wasMember, at: command.at } }];
}

export function unban(command: RevoltCommandOf<'UnbanMember'>, state: RevoltState): RevoltEvent[] {
  requireRevoltPermission(state, command.actorId, 'BAN_MEMBERS');
  if (!state.bans.has(command.userId)) return [];
  return [{ type: 'MemberUnbanned', data: { revoltId: state.revoltId, userId: command.userId, by: command.actorId, at: command.at } }];
}

export function transferOwnership(command: RevoltCommandOf<'TransferOwnership'>, state: RevoltState): RevoltEvent[] {
  requireOwner(state, command.actorId, 'transfer ownership');
  if (command.userId === state.ownerId) throw conflict('already_owner', 'you already own this revolt');
  if (!state.members.has(command.userId)) throw notFound('member');
  return [{ type: 'OwnershipTransferred', data: { revoltId: state.revoltId, from: state.ownerId, to: command.userId, at: command.at } }];
}
