import type { StaffRole } from '../staff/events.ts';
import type { NotificationsIssuedData, RevoltNotificationSettings } from './events.ts';

/** A batch of notifications a reactor decided on: who gets it is fixed here, once. */
export interface IssueNotifications {
  type: 'IssueNotifications';
  batch: NotificationsIssuedData;
}

/** What the inbox's decisions need to know of one notification (the handler reads it; decide stays pure). */
export interface NotificationFacts {
  recipientId: string;
  isRead: boolean;
}

export type InboxCommand =
  | { type: 'MarkNotificationRead'; userId: string; notificationId: string; notification: NotificationFacts | null; at: string }
  | { type: 'MarkAllNotificationsRead'; userId: string; unread: number; at: string };

export type RevoltSettingsChange = { revoltId: string } & Partial<RevoltNotificationSettings>;

export interface UpdateNotificationSettings {
  type: 'UpdateNotificationSettings';
  userId: string;
  changes: readonly RevoltSettingsChange[];
  /** The revolts of `changes` the user is a member of now. */
  memberOf: ReadonlySet<string>;
  at: string;
}

export interface PostAnnouncement {
  type: 'PostAnnouncement';
  announcementId: string;
  actor: { id: string; roles: ReadonlySet<StaffRole> };
  /** One revolt's members, or (absent) everyone. */
  revoltId?: string;
  /** Whether that revolt exists and is not deleted. */
  revoltLive: boolean;
  title: string;
  message: string;
  at: string;
}
