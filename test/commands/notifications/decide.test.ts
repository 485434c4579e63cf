import { describe, expect, it } from 'vitest';
import { announcementDecider, batchDecider, inboxDecider, settingsDecider } from '../../../src/commands/notifications/decide.ts';
import type { NotificationEvent, NotificationsIssuedData } from '../../../src/commands/notifications/events.ts';
import { given } from '../../support/decider.ts';

const at = '2026-01-01T00:00:00.000Z';
const ids = { ada: '1'.repeat(24), bob: '2'.repeat(24), revolt: 'a'.repeat(24), other: 'b'.repeat(24), note: 'c'.repeat(24), batch: 'd'.repeat(24), post: 'e'.repeat(24) };

const batch = (recipients: string[]): NotificationsIssuedData => ({ batchId: ids.batch, type: 'channel_mention', recipients, title: 't', message: 'm', revoltId: ids.revolt, createdAt: at });
const issued = (recipients: string[]): NotificationEvent => ({ type: 'NotificationsIssued', data: batch(recipients) });

describe('notification batch decider', () => {
  it('issues a batch once, each recipient once, and never to nobody', () => {
    given(batchDecider).when({ type: 'IssueNotifications', batch: batch([ids.ada, ids.bob, ids.ada]) }).then([issued([ids.ada, ids.bob])]);
    given(batchDecider, [issued([ids.ada])]).when({ type: 'IssueNotifications', batch: batch([ids.bob]) }).then([]);
    given(batchDecider).when({ type: 'IssueNotifications', batch: batch([]) }).then([]);
  });
});

describe('inbox decider', () => {
  const read = (notification: { recipientId: string; isRead: boolean } | null, userId = ids.ada) =>
    ({ type: 'MarkNotificationRead', userId, notificationId: ids.note, notification, at }) as const;
  const wasRead: NotificationEvent = { type: 'NotificationRead', data: { userId: ids.ada, notificationId: ids.note, at } };

  it('the recipient reads their notification once', () => {
    given(inboxDecider).when(read({ recipientId: ids.ada, isRead: false })).then([wasRead]);
    given(inboxDecider, [wasRead]).when(read({ recipientId: ids.ada, isRead: false })).then([]);
    given(inboxDecider).when(read({ recipientId: ids.ada, isRead: true })).then([]);
  });

  it('anyone else is told it does not exist, as is the reader of a notification that does not', () => {
    given(inboxDecider).when(read({ recipientId: ids.ada, isRead: false }, ids.bob)).thenFails(404, 'not_found');
    given(inboxDecider).when(read(null)).thenFails(404, 'not_found');
  });

  it('reading all records something only when something is unread, and forgets the ones read one by one', () => {
    given(inboxDecider).when({ type: 'MarkAllNotificationsRead', userId: ids.ada, unread: 3, at }).then([{ type: 'NotificationsReadAll', data: { userId: ids.ada, at } }]);
    given(inboxDecider).when({ type: 'MarkAllNotificationsRead', userId: ids.ada, unread: 0, at }).then([]);
    const { state } = given(inboxDecider, [wasRead, { type: 'NotificationsReadAll', data: { userId: ids.ada, at } }]);
    expect(state.read.size).toBe(0);
  });
});

describe('notification settings decider', () => {
  const update = (changes: { revoltId: string; muted?: boolean; mentionsOnly?: boolean; suppressJoinLeave?: boolean }[], memberOf = [ids.revolt]) =>
    ({ type: 'UpdateNotificationSettings', userId: ids.ada, changes, memberOf: new Set(memberOf), at }) as const;
  const updated = (muted: boolean, mentionsOnly: boolean, suppressJoinLeave: boolean): NotificationEvent => ({
    type: 'NotificationSettingsUpdated',
    data: { userId: ids.ada, revoltId: ids.revolt, muted, mentionsOnly, suppressJoinLeave, at },
  });

  it('records the revolt settings as they are after the change, keeping the flags not named', () => {
    given(settingsDecider).when(update([{ revoltId: ids.revolt, muted: true }])).then([updated(true, false, false)]);
    given(settingsDecider, [updated(true, false, false)]).when(update([{ revoltId: ids.revolt, suppressJoinLeave: true }])).then([updated(true, false, true)]);
  });

  it('an unchanged revolt records nothing', () => {
    given(settingsDecider, [updated(true, false, false)]).when(update([{ revoltId: ids.revolt, muted: true }])).then([]);
    given(settingsDecider).when(update([{ revoltId: ids.revolt, muted: false }])).then([]);
  });

  it('a revolt the user is not a member of does not exist for them, and nothing of the change is recorded', () => {
    given(settingsDecider).when(update([{ revoltId: ids.revolt, muted: true }, { revoltId: ids.other, muted: true }])).thenFails(404, 'not_found');
  });
});

describe('announcement decider', () => {
  const post = (roles: string[], revoltId?: string, revoltLive = true) =>
    ({ type: 'PostAnnouncement', announcementId: ids.post, actor: { id: ids.ada, roles: new Set(roles) }, ...(revoltId && { revoltId }), revoltLive, title: 'Hello', message: 'World', at }) as never;

  it('operators announce to everyone or to a live revolt', () => {
    given(announcementDecider).when(post(['operator'])).then([{ type: 'AnnouncementPosted', data: { announcementId: ids.post, title: 'Hello', message: 'World', postedBy: ids.ada, at } }]);
    given(announcementDecider)
      .when(post(['operator'], ids.revolt))
      .then([{ type: 'AnnouncementPosted', data: { announcementId: ids.post, revoltId: ids.revolt, title: 'Hello', message: 'World', postedBy: ids.ada, at } }]);
  });

  it('nobody else may, and no revolt that is not live receives one', () => {
    given(announcementDecider).when(post(['analyst', 'auditor'])).thenFails(403, 'forbidden');
    given(announcementDecider).when(post(['operator'], ids.revolt, false)).thenFails(404, 'not_found');
  });
});
