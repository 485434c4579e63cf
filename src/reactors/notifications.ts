import type { AchievementEvent } from '../commands/achievements/events.ts';
import { donationDecider } from '../commands/donations/decide.ts';
import type { DonationEvent } from '../commands/donations/events.ts';
import { donationStream } from '../commands/donations/rules.ts';
import { messageDecider, messageStream } from '../commands/messages/decide.ts';
import type { MessageEvent } from '../commands/messages/events.ts';
import * as text from '../commands/notifications/content.ts';
import { batchDecider } from '../commands/notifications/decide.ts';
import { notificationsStream, type NotificationEvent, type NotificationsIssuedData, type NotificationType } from '../commands/notifications/events.ts';
import { batchIdOf } from '../commands/notifications/ids.ts';
import * as pick from '../commands/notifications/recipients.ts';
import type { PersonalInviteEvent } from '../commands/personal-invites/events.ts';
import type { ProgressEvent } from '../commands/progress/events.ts';
import { revoltDecider, revoltStream } from '../commands/revolts/decide.ts';
import type { RevoltEvent } from '../commands/revolts/events.ts';
import type { RevoltState } from '../commands/revolts/state.ts';
import { userDecider, userStream } from '../commands/users/decide.ts';
import type { UserEvent } from '../commands/users/events.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { NotificationMemory, PREFERENCES, REGISTERED } from './notification-memory.ts';
import type { ReactorTools, ReactorWithMemory } from './reactor.ts';

export const NOTIFICATIONS_REACTOR = 'notifications';

/** The most recipients one NotificationsIssued names: bigger audiences (an announcement to everyone) get several. */
export const MAX_RECIPIENTS_PER_BATCH = 10_000;

type Handled =
  | Extract<UserEvent, { type: 'UserRegistered' }>
  | Extract<RevoltEvent, { type: 'MemberJoined' | 'MemberLeft' | 'MemberKicked' | 'MemberBanned' }>
  | Extract<MessageEvent, { type: 'MessageSent' }>
  | Extract<DonationEvent, { type: 'DonationCompleted' }>
  | Extract<ProgressEvent, { type: 'LetterCompleted' }>
  | AchievementEvent
  | Extract<NotificationEvent, { type: 'NotificationSettingsUpdated' | 'AnnouncementPosted' }>
  | Extract<PersonalInviteEvent, { type: 'PersonalInviteSent' }>;
type Trigger = RecordedEvent & Handled;

const HANDLES = [
  'UserRegistered',
  'NotificationSettingsUpdated',
  'MemberJoined',
  'MemberLeft',
  'MemberKicked',
  'MemberBanned',
  'MessageSent',
  'DonationCompleted',
  'LetterCompleted',
  'AchievementUnlocked',
  'AnnouncementPosted',
  'PersonalInviteSent',
] as const satisfies readonly Handled['type'][];

/**
 * Triggers older than this when the reactor answers them are remembered but not told: the reactor reads the whole
 * history for its memory, and a first start (or one after a long outage) must not notify users of old news.
 */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Events that only feed the memory: answered whatever their age. */
const REMEMBERED: ReadonlySet<string> = new Set(['UserRegistered', 'NotificationSettingsUpdated']);

/** What a batch says, besides who gets it (the reactor fills in the rest). */
type BatchContent = Omit<NotificationsIssuedData, 'batchId' | 'type' | 'recipients' | 'createdAt'>;

/** One trigger's answer, in the order its batches are issued. */
class Reaction {
  constructor(
    private readonly event: Trigger,
    private readonly tools: ReactorTools,
  ) {}

  loadRevolt = async (revoltId: string): Promise<RevoltState> => (await this.tools.load(revoltStream(revoltId), revoltDecider)).state;
  username = async (userId: string): Promise<string> => (await this.tools.load(userStream(userId), userDecider)).state.username || 'Someone';

  /**
   * Issues the batch of `type` to `recipients`, in chunks of MAX_RECIPIENTS_PER_BATCH, each its own command whose
   * id is seeded by the event, the type and the chunk: given the event again, each finds its first append.
   */
  async issue(type: NotificationType, recipients: readonly string[], content: BatchContent): Promise<void> {
    const createdAt = this.event.metadata.occurredAt;
    for (let start = 0, chunk = 0; start < recipients.length; start += MAX_RECIPIENTS_PER_BATCH, chunk++) {
      const key = `${type}:${chunk}`;
      const batchId = batchIdOf(this.event.id, key, createdAt);
      const batch: NotificationsIssuedData = { batchId, type, recipients: recipients.slice(start, start + MAX_RECIPIENTS_PER_BATCH), ...content, createdAt };
      await this.tools.issuing(this.event, key)(notificationsStream(batchId), batchDecider, { type: 'IssueNotifications', batch });
    }
  }
}

async function react(event: Trigger, tools: ReactorTools, memory: NotificationMemory): Promise<void> {
  const reaction = new Reaction(event, tools);
  switch (event.type) {
    case 'NotificationSettingsUpdated':
      return memory.remember(event);
    case 'UserRegistered':
      return; // remembered for the whole run first (see reactRun)
    case 'MemberJoined':
    case 'MemberLeft': {
      const { revoltId, userId } = event.data;
      const revolt = await reaction.loadRevolt(revoltId);
      const recipients = pick.joinLeaveRecipients(revolt, userId, await memory.preferencesOf(revoltId));
      if (recipients.length === 0) return;
      const joined = event.type === 'MemberJoined';
      const username = joined ? event.data.username : await reaction.username(userId);
      const content = (joined ? text.joinText : text.leaveText)(revolt.name, username, revoltId);
      return reaction.issue(joined ? 'revolt_join' : 'revolt_leave', recipients, { ...content, revoltId, actorId: userId });
    }
    case 'MemberKicked':
    case 'MemberBanned': {
      // A kick, or a ban of a member, is their leaving: told as a leave naming who removed them (a ban of a non-member is not).
      if (event.type === 'MemberBanned' && !event.data.wasMember) return;
      const { revoltId, userId, by } = event.data;
      const revolt = await reaction.loadRevolt(revoltId);
      const recipients = pick.removalRecipients(revolt, userId, by, await memory.preferencesOf(revoltId));
      if (recipients.length === 0) return;
      const how = event.type === 'MemberKicked' ? 'kicked' : 'banned';
      const content = text.removalText(revolt.name, await reaction.username(userId), how, await reaction.username(by), revoltId);
      return reaction.issue('revolt_leave', recipients, { ...content, revoltId, actorId: userId });
    }
    case 'MessageSent': {
      const message = event.data;
      if (message.type === 'system') return; // what the revolt says of itself (joins, donations) mentions no one
      // Most messages concern nobody in particular: answered without a read.
      if (!message.replyTo && !message.mentionEveryone && message.mentions.length === 0 && message.roleMentions.length === 0) return;
      const revolt = await reaction.loadRevolt(message.revoltId);
      const preferences = await memory.preferencesOf(message.revoltId);
      const replied = message.replyTo ? (await tools.load(messageStream(message.replyTo), messageDecider)).state.message?.authorId : undefined;
      const replyTo = replied ? pick.replyRecipient(revolt, message, replied, preferences) : [];
      // Whoever is replied to hears of it once, as a reply.
      const mentioned = pick.mentionRecipients(revolt, message, preferences).filter((id) => !replyTo.includes(id));
      if (mentioned.length === 0 && replyTo.length === 0) return;
      const author = revolt.members.get(message.authorId)?.username ?? (await reaction.username(message.authorId));
      const channelName = revolt.channels.get(message.channelId)?.name ?? '';
      const about = { revoltId: message.revoltId, channelId: message.channelId, messageId: message.messageId, actorId: message.authorId };
      await reaction.issue('channel_mention', mentioned, { ...text.mentionText(author, channelName, message), ...about });
      return reaction.issue('message_reply', replyTo, { ...text.replyText(author, channelName, message), ...about });
    }
    case 'DonationCompleted': {
      const { donationId, revoltId } = event.data;
      const donation = (await tools.load(donationStream(donationId), donationDecider)).state;
      const revolt = await reaction.loadRevolt(revoltId);
      const recipients = pick.ownerRecipient(revolt, await memory.preferencesOf(revoltId));
      if (recipients.length === 0) return;
      // An anonymous donor is named nowhere: not in the text, not as the actor.
      const donor = donation.isAnonymous ? undefined : donation.donorId;
      const content = text.donationText(revolt.name, event.data.amount, event.data.currency, donor && (await reaction.username(donor)), revoltId);
      return reaction.issue('donation_received', recipients, { ...content, revoltId, ...(donor && { actorId: donor }) });
    }
    case 'LetterCompleted':
      return reaction.issue('letter_completed', [event.data.userId], text.letterText(event.data.letterId));
    case 'AchievementUnlocked': {
      const { userId, name, description } = event.data;
      return reaction.issue('achievement_unlocked', [userId], text.achievementText(name, description, userId));
    }
    case 'AnnouncementPosted': {
      const { revoltId, title, message } = event.data;
      // Operators speak over every setting: an announcement reaches muted revolts' members too.
      const recipients = revoltId ? [...(await reaction.loadRevolt(revoltId)).members.keys()].sort() : await memory.registeredBefore(event.position);
      return reaction.issue('system_announcement', recipients, { ...text.announcementText(title, message), ...(revoltId && { revoltId }) });
    }
    case 'PersonalInviteSent': {
      const { inviteId, kind, revoltId, channelId, inviterId, inviteeId } = event.data;
      const revolt = await reaction.loadRevolt(revoltId);
      const preferences = await memory.preferencesOf(revoltId);
      const inviter = revolt.members.get(inviterId)?.username ?? (await reaction.username(inviterId));
      if (kind === 'voice' && channelId) {
        const recipients = pick.voiceInviteRecipient(revolt, channelId, inviteeId, preferences);
        const content = text.voiceInviteText(inviter, revolt.channels.get(channelId)?.name ?? '', revolt.name, revoltId, channelId);
        return reaction.issue('voice_invite', recipients, { ...content, revoltId, channelId, actorId: inviterId });
      }
      const recipients = pick.revoltInviteRecipient(revolt, inviteeId, preferences);
      return reaction.issue('revolt_invite', recipients, { ...text.revoltInviteText(inviter, revolt.name, inviteId), revoltId, actorId: inviterId });
    }
  }
}

/**
 * Notifications: answers what happens with NotificationsIssued batches, each naming its recipients, chosen when the
 * reactor answers the event by the rules of commands/notifications/recipients.ts against the revolt as it is then
 * and the recipients' settings as of the event (its memory, kept in order with the triggers).
 */
export function notificationsReactor(): ReactorWithMemory<Handled> {
  return {
    name: NOTIFICATIONS_REACTOR,
    handles: HANDLES,
    collections: [
      { name: PREFERENCES, indexes: [] },
      { name: REGISTERED, indexes: [] },
    ],
    // Its memory (settings, registered users) needs the whole history.
    startsAt: 'first-event',
    async reactRun(events, tools) {
      const memory = new NotificationMemory(tools.ctx);
      await memory.register(events.filter((event) => event.type === 'UserRegistered'));
      const now = Date.now();
      for (const event of events) {
        if (REMEMBERED.has(event.type) || now - Date.parse(event.metadata.occurredAt) <= STALE_AFTER_MS) await react(event as Trigger, tools, memory);
      }
    },
  };
}
