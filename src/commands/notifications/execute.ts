import type { CommandContext, CommandHandler } from '../handler.ts';
import { isLive } from '../permissions/access.ts';
import { revoltDecider, revoltStream } from '../revolts/decide.ts';
import type { StaffRole } from '../staff/events.ts';
import type { NotificationFacts, RevoltSettingsChange } from './commands.ts';
import { announcementDecider, inboxDecider, settingsDecider } from './decide.ts';
import { announcementStream, inboxStream, notificationSettingsStream } from './events.ts';

/** Changes a user's settings for some revolts; whether they are a member of each is read from the revolts' streams. */
export async function updateNotificationSettings(commands: CommandHandler, userId: string, changes: readonly RevoltSettingsChange[], context: CommandContext) {
  const memberOf = new Set<string>();
  for (const revoltId of new Set(changes.map((change) => change.revoltId))) {
    const { state } = await commands.load(revoltStream(revoltId), revoltDecider);
    if (isLive(state) && state.members.has(userId)) memberOf.add(revoltId);
  }
  const command = { type: 'UpdateNotificationSettings' as const, userId, changes, memberOf, at: new Date().toISOString() };
  return commands.execute(notificationSettingsStream(userId), settingsDecider, command, context);
}

/** Marks one notification read for `userId`; `notification` is what the read model says of it (null: none such). */
export function markNotificationRead(commands: CommandHandler, userId: string, notificationId: string, notification: NotificationFacts | null, context: CommandContext) {
  const command = { type: 'MarkNotificationRead' as const, userId, notificationId, notification, at: new Date().toISOString() };
  return commands.execute(inboxStream(userId), inboxDecider, command, context);
}

/** Marks every notification of `userId` read (nothing when `unread`, their count, is 0). */
export function markAllNotificationsRead(commands: CommandHandler, userId: string, unread: number, context: CommandContext) {
  return commands.execute(inboxStream(userId), inboxDecider, { type: 'MarkAllNotificationsRead', userId, unread, at: new Date().toISOString() }, context);
}

export interface Announcement {
  announcementId: string;
  revoltId?: string;
  title: string;
  message: string;
}

/** An operator's announcement (the API's and the CLI's): to one revolt's members, or to everyone. */
export async function postAnnouncement(commands: CommandHandler, actor: { id: string; roles: ReadonlySet<StaffRole> }, announcement: Announcement, context: CommandContext) {
  const revoltLive = announcement.revoltId === undefined ? false : isLive((await commands.load(revoltStream(announcement.revoltId), revoltDecider)).state);
  const command = { type: 'PostAnnouncement' as const, ...announcement, actor, revoltLive, at: new Date().toISOString() };
  return commands.execute(announcementStream(announcement.announcementId), announcementDecider, command, context, { expected: 'no_stream' });
}
