import type { CommandContext, CommandHandler } from '../handler.ts';
import type { FeatureAccess } from '../progress/features.ts';
import { revoltDecider, revoltStream, type Actor } from '../revolts/decide.ts';
import { userDecider, userStream } from '../users/decide.ts';
import type { PersonalInviteKind } from './events.ts';
import { answerable, personalInvitesDecider, personalInvitesStream } from './decide.ts';
import type { PersonalInvite } from './state.ts';

export interface InviteRequest {
  inviteId: string;
  kind: PersonalInviteKind;
  revoltId: string;
  channelId: string | null;
  inviterId: string;
  inviteeId: string;
  features: FeatureAccess;
  at: string;
}

/**
 * Sends a personal invite, decided on the invitee's stream against the revolt and the invitee as their own streams
 * hold them. `sharesRevolt` (whether inviter and invitee are members of a common revolt) is asked only of an
 * invitee who accepts invites from shared revolts alone.
 */
export async function sendPersonalInvite(commands: CommandHandler, request: InviteRequest, sharesRevolt: () => Promise<boolean>, context: CommandContext) {
  const { revoltId, inviterId, inviteeId } = request;
  const stream = personalInvitesStream(inviteeId);
  const [revolt, invitee, invites] = await Promise.all([
    commands.load(revoltStream(revoltId), revoltDecider),
    inviteeId === inviterId ? null : commands.load(userStream(inviteeId), userDecider),
    commands.load(stream, personalInvitesDecider),
  ]);
  const shares = invites.state.onlyFromSharedRevolts && invitee?.state.exists ? await sharesRevolt() : true;
  const command = { type: 'SendPersonalInvite' as const, ...request, revolt: revolt.state, inviteeExists: invitee?.state.exists ?? false, sharesRevolt: shares };
  const result = await commands.execute(stream, personalInvitesDecider, command, context);
  return { invite: result.state.invites.get(request.inviteId)!, position: result.position };
}

export interface Answer {
  invite: PersonalInvite;
  /** Position of the last event appended (the join, then the answer), or null when nothing changed. */
  position: number | null;
}

/**
 * Accepts a personal invite as its invitee. A revolt invite joins the revolt through the revolt's own join rule
 * (bans, member limit, invites allowed: refused there, nothing is recorded) before the acceptance is recorded; a
 * voice invite records the acceptance only (joining the channel is the client's PUT
 * /v1/channels/:id/voice/members/@me, under the voice rules). Accepting again changes nothing. Should the invitee
 * decline the same invite at the very moment the join is recorded, the join stands and the acceptance is refused (409).
 */
export async function acceptPersonalInvite(
  commands: CommandHandler,
  answer: { inviteId: string; inviteeId: string; at: string },
  joiner: () => Promise<Actor>,
  context: CommandContext,
): Promise<Answer> {
  const command = { type: 'AcceptPersonalInvite' as const, ...answer };
  const stream = personalInvitesStream(answer.inviteeId);
  const { state } = await commands.load(stream, personalInvitesDecider);
  const open = answerable(command, state);
  let joinedAt: number | null = null;
  if (open?.kind === 'revolt') {
    const personalInvite = { inviteId: open.inviteId, inviterId: open.inviterId };
    const joined = await commands.execute(revoltStream(open.revoltId), revoltDecider, { type: 'JoinRevolt', user: await joiner(), personalInvite, at: answer.at }, context);
    joinedAt = joined.position;
  }
  const accepted = await commands.execute(stream, personalInvitesDecider, command, context);
  return { invite: accepted.state.invites.get(answer.inviteId)!, position: accepted.position ?? joinedAt };
}

export async function declinePersonalInvite(commands: CommandHandler, answer: { inviteId: string; inviteeId: string; at: string }, context: CommandContext): Promise<Answer> {
  const result = await commands.execute(personalInvitesStream(answer.inviteeId), personalInvitesDecider, { type: 'DeclinePersonalInvite', ...answer }, context);
  return { invite: result.state.invites.get(answer.inviteId)!, position: result.position };
}
