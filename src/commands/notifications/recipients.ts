import { channelAccess, isLive, revoltAccessOf } from '../permissions/access.ts';
import { has } from '../permissions/catalogue.ts';
import { mayReadChannel } from '../permissions/reading.ts';
import { isLiveMember } from '../permissions/visibility.ts';
import { subjectOf } from '../permissions/subject.ts';
import type { RevoltState } from '../revolts/state.ts';

/**
 * Who is told of what happens in a revolt: the rules of the notifications reactor, pure. Everyone chosen is a
 * member of the live revolt now (never someone who left or was banned) and, for what happened in a channel, may
 * read that channel now; then each one's settings for the revolt have their say (see `wants`).
 */

/** The users' settings for one revolt, as the reactor remembers them: who muted it, who keeps only mentions, who hears no joins. */
export interface RevoltPreferences {
  muted: ReadonlySet<string>;
  mentionsOnly: ReadonlySet<string>;
  suppressJoinLeave: ReadonlySet<string>;
}

export const NO_PREFERENCES: RevoltPreferences = { muted: new Set(), mentionsOnly: new Set(), suppressJoinLeave: new Set() };

/**
 * How a notification concerns its recipient: `direct` (a mention, a reply, a personal invite: kept by
 * mentions-only), `activity` (someone joined or left: the opt-out applies), `revolt` (anything else of the revolt).
 * A muted revolt sends nothing.
 */
export type Concern = 'direct' | 'activity' | 'revolt';

export function wants(preferences: RevoltPreferences, userId: string, concern: Concern): boolean {
  if (preferences.muted.has(userId)) return false;
  if (concern === 'direct') return true;
  if (preferences.mentionsOnly.has(userId)) return false;
  return concern !== 'activity' || !preferences.suppressJoinLeave.has(userId);
}

const MANAGE_MEMBERS = ['KICK_MEMBERS', 'BAN_MEMBERS'] as const;

/** The owner and the members holding a role (or grant) that manages members: who hears of joins and leaves. */
export function memberManagers(revolt: RevoltState): string[] {
  if (!isLive(revolt)) return [];
  return [...revolt.members.keys()].filter((userId) => {
    const access = revoltAccessOf(subjectOf(revolt, userId));
    return access.allowed && MANAGE_MEMBERS.some((permission) => has(access.bits, permission));
  });
}

/** A join or a leave of `userId`: the member managers but them, who want to hear of it. */
export function joinLeaveRecipients(revolt: RevoltState, userId: string, preferences: RevoltPreferences): string[] {
  return memberManagers(revolt).filter((id) => id !== userId && wants(preferences, id, 'activity'));
}

/**
 * A member removed (kicked, or banned while a member) by `by`: told as a leave, to the member managers but the
 * one removed and the one who removed them (they know), as an audit log would show it to moderators.
 */
export function removalRecipients(revolt: RevoltState, userId: string, by: string, preferences: RevoltPreferences): string[] {
  return joinLeaveRecipients(revolt, userId, preferences).filter((id) => id !== by);
}

/** What a sent message says of whom it concerns. */
export interface SentMessage {
  authorId: string;
  channelId: string;
  mentions: readonly string[];
  roleMentions: readonly string[];
  mentionEveryone: boolean;
}

/** Whom a message mentions (users, holders of a mentioned role, everyone), who may read its channel, but its author. */
export function mentionRecipients(revolt: RevoltState, message: SentMessage, preferences: RevoltPreferences): string[] {
  if (!isLive(revolt)) return [];
  const candidates = new Set(message.mentions);
  if (message.mentionEveryone) for (const userId of revolt.members.keys()) candidates.add(userId);
  else if (message.roleMentions.length > 0) {
    for (const member of revolt.members.values()) if (member.roles.some((roleId) => message.roleMentions.includes(roleId))) candidates.add(member.userId);
  }
  candidates.delete(message.authorId);
  return [...candidates].filter((userId) => mayReadChannel(revolt, userId, message.channelId) && wants(preferences, userId, 'direct'));
}

/** The author of the message replied to, unless they replied to themself or may not read the channel now. */
export function replyRecipient(revolt: RevoltState, message: SentMessage, repliedAuthorId: string, preferences: RevoltPreferences): string[] {
  if (repliedAuthorId === message.authorId || !isLive(revolt)) return [];
  return mayReadChannel(revolt, repliedAuthorId, message.channelId) && wants(preferences, repliedAuthorId, 'direct') ? [repliedAuthorId] : [];
}

/** Something for the revolt's owner (a donation): while they are its member and want it. */
export function ownerRecipient(revolt: RevoltState, preferences: RevoltPreferences): string[] {
  return isLiveMember(revolt, revolt.ownerId) && wants(preferences, revolt.ownerId, 'revolt') ? [revolt.ownerId] : [];
}

/** An invite to join the revolt: not to a member already, nor to someone banned from it. */
export function revoltInviteRecipient(revolt: RevoltState, inviteeId: string, preferences: RevoltPreferences): string[] {
  if (!isLive(revolt) || revolt.members.has(inviteeId) || revolt.bans.has(inviteeId)) return [];
  return wants(preferences, inviteeId, 'direct') ? [inviteeId] : [];
}

/** An invite into a voice channel: to a member who may view that channel now. */
export function voiceInviteRecipient(revolt: RevoltState, channelId: string, inviteeId: string, preferences: RevoltPreferences): string[] {
  return channelAccess(revolt, inviteeId, channelId, ['CONNECT']).allowed && wants(preferences, inviteeId, 'direct') ? [inviteeId] : [];
}
