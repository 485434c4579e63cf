import type { Decider } from '../decider.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { InboxCommand, IssueNotifications, PostAnnouncement, UpdateNotificationSettings } from './commands.ts';
import type { NotificationEvent } from './events.ts';
import {
  DEFAULT_REVOLT_SETTINGS,
  evolveAnnouncement,
  evolveBatch,
  evolveInbox,
  evolveSettings,
  initialAnnouncementState,
  initialBatchState,
  initialInboxState,
  initialSettingsState,
  type AnnouncementState,
  type BatchState,
  type InboxState,
  type SettingsState,
} from './state.ts';

/** One batch per stream: issued once with its recipients (each once), and never with none. */
export const batchDecider: Decider<IssueNotifications, BatchState, NotificationEvent> = {
  initialState: initialBatchState,
  evolve: evolveBatch,
  decide({ batch }, state) {
    const recipients = [...new Set(batch.recipients)];
    if (state.issued || recipients.length === 0) return [];
    return [{ type: 'NotificationsIssued', data: { ...batch, recipients } }];
  },
};

/**
 * A user's inbox: only the recipient may read a notification (anyone else is told it does not exist); reading one
 * already read, or all when none is unread, decides nothing.
 */
export const inboxDecider: Decider<InboxCommand, InboxState, NotificationEvent> = {
  initialState: initialInboxState,
  evolve: evolveInbox,
  decide(command, state) {
    const { userId, at } = command;
    if (command.type === 'MarkAllNotificationsRead') return command.unread > 0 ? [{ type: 'NotificationsReadAll', data: { userId, at } }] : [];
    const { notification, notificationId } = command;
    if (notification?.recipientId !== userId) throw notFound('notification');
    if (notification.isRead || state.read.has(notificationId)) return [];
    return [{ type: 'NotificationRead', data: { userId, notificationId, at } }];
  },
};

/** A user's settings per revolt, for revolts they are a member of (404 for any other); an unchanged revolt records nothing. */
export const settingsDecider: Decider<UpdateNotificationSettings, SettingsState, NotificationEvent> = {
  initialState: initialSettingsState,
  evolve: evolveSettings,
  decide({ userId, changes, memberOf, at }, state) {
    const missing = changes.find(({ revoltId }) => !memberOf.has(revoltId));
    if (missing) throw notFound('revolt');
    const revolts = new Map(state.revolts);
    const events: NotificationEvent[] = [];
    for (const change of changes) {
      const { revoltId } = change;
      const before = revolts.get(revoltId) ?? DEFAULT_REVOLT_SETTINGS;
      const after = {
        muted: change.muted ?? before.muted,
        mentionsOnly: change.mentionsOnly ?? before.mentionsOnly,
        suppressJoinLeave: change.suppressJoinLeave ?? before.suppressJoinLeave,
      };
      if (after.muted === before.muted && after.mentionsOnly === before.mentionsOnly && after.suppressJoinLeave === before.suppressJoinLeave) continue;
      revolts.set(revoltId, after);
      events.push({ type: 'NotificationSettingsUpdated', data: { userId, revoltId, ...after, at } });
    }
    return events;
  },
};

/** Only operators announce; to one revolt's members only while the revolt exists. */
export const announcementDecider: Decider<PostAnnouncement, AnnouncementState, NotificationEvent> = {
  initialState: initialAnnouncementState,
  evolve: evolveAnnouncement,
  decide(command, state) {
    if (!command.actor.roles.has('operator')) throw forbidden('only operators may send announcements');
    if (command.revoltId !== undefined && !command.revoltLive) throw notFound('revolt');
    if (state.posted) throw conflict('already_exists', 'announcement already exists');
    const { announcementId, revoltId, title, message, at } = command;
    return [{ type: 'AnnouncementPosted', data: { announcementId, ...(revoltId !== undefined && { revoltId }), title, message, postedBy: command.actor.id, at } }];
  },
};
