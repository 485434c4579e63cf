import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from './events.ts';

/** What a notification says: its title and message (clipped to their limits), and where a client takes its reader. */
export interface NotificationText {
  title: string;
  message: string;
  actionUrl?: string;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const text = (title: string, message: string, actionUrl?: string): NotificationText => ({
  title: clip(title, MAX_TITLE_LENGTH),
  message: clip(message, MAX_MESSAGE_LENGTH),
  ...(actionUrl !== undefined && { actionUrl }),
});

/** A message's preview in a mention or reply: its first 200 characters. */
const PREVIEW = 200;
const messageUrl = (revoltId: string, channelId: string, messageId: string) => `/revolts/${revoltId}/channels/${channelId}/messages/${messageId}`;

export const joinText = (revoltName: string, username: string, revoltId: string) =>
  text(`New member in ${revoltName}`, `${username} joined ${revoltName}`, `/revolts/${revoltId}/members`);

export const leaveText = (revoltName: string, username: string, revoltId: string) =>
  text(`A member left ${revoltName}`, `${username} left ${revoltName}`, `/revolts/${revoltId}/members`);

/** A member removed by a moderator: who, how and by whom (their audit, as Discord's shows it to moderators). */
export const removalText = (revoltName: string, username: string, how: 'kicked' | 'banned', moderator: string, revoltId: string) =>
  text(`A member was ${how} from ${revoltName}`, `${username} was ${how} from ${revoltName} by ${moderator}`, `/revolts/${revoltId}/members`);

interface MessageRef {
  revoltId: string;
  channelId: string;
  messageId: string;
  content: string;
}

export const mentionText = (author: string, channelName: string, message: MessageRef) =>
  text(`${author} mentioned you in #${channelName}`, clip(message.content, PREVIEW), messageUrl(message.revoltId, message.channelId, message.messageId));

export const replyText = (author: string, channelName: string, message: MessageRef) =>
  text(`${author} replied to your message in #${channelName}`, clip(message.content, PREVIEW), messageUrl(message.revoltId, message.channelId, message.messageId));

/** Minor units as a decimal amount with its currency (2 decimals: the currencies accepted). */
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** A donation: the donor named only when they did not ask to stay anonymous (`donor` undefined). */
export const donationText = (revoltName: string, amount: number, currency: string, donor: string | undefined, revoltId: string) =>
  text(`New donation to ${revoltName}`, `${donor ?? 'An anonymous donor'} donated ${money(amount, currency)} to ${revoltName}`, `/revolts/${revoltId}/donations`);

export const letterText = (letterId: number) => text(`Letter ${letterId} completed`, `You completed letter ${letterId} of the course.`, `/letters/${letterId}`);

export const achievementText = (name: string, description: string, userId: string) =>
  text(`Achievement unlocked: ${name}`, description, `/users/${userId}/achievements`);

export const announcementText = (title: string, message: string) => text(title, message);

export const revoltInviteText = (inviter: string, revoltName: string, inviteId: string) =>
  text(`${inviter} invited you to ${revoltName}`, `Accept the invite to join ${revoltName}.`, `/invites/personal/${inviteId}`);

export const voiceInviteText = (inviter: string, channelName: string, revoltName: string, revoltId: string, channelId: string) =>
  text(`${inviter} invited you to talk`, `Join #${channelName} in ${revoltName}.`, `/revolts/${revoltId}/channels/${channelId}`);
