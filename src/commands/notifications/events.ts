import { z } from 'zod';
import type { EventsOf } from '../../events/catalogue.ts';
import { idSchema, isoDate } from '../../events/ids.ts';

/** The seed's NotificationType: every kind of notification a user can get. */
export const NOTIFICATION_TYPES = [
  'revolt_invite',
  'revolt_join',
  'revolt_leave',
  'channel_mention',
  'message_reply',
  'voice_invite',
  'donation_received',
  'letter_completed',
  'achievement_unlocked',
  'system_announcement',
] as const;
export const notificationTypeSchema = z.enum(NOTIFICATION_TYPES);
export type NotificationType = z.infer<typeof notificationTypeSchema>;

export const MAX_TITLE_LENGTH = 200;
export const MAX_MESSAGE_LENGTH = 2000;

/** A user's settings for one revolt: nothing from it (`muted`), only mentions and replies, and whether joins and leaves are told. */
export const revoltNotificationSettingsSchema = z.object({
  muted: z.boolean(),
  mentionsOnly: z.boolean(),
  suppressJoinLeave: z.boolean(),
});
export type RevoltNotificationSettings = z.infer<typeof revoltNotificationSettingsSchema>;

/**
 * Events of notifications:
 * - `notifications-<revoltId>` (or `notifications-system` for what concerns no revolt): one NotificationsIssued per
 *   trigger, naming every recipient (so an @everyone mention in a revolt of 10,000 members is one event, and the
 *   recipients chosen when it happened are kept: a rebuild writes the same documents). Each recipient's notification
 *   id derives from the batch id and the recipient (see ids.ts). No donor of an anonymous donation, no email, no
 *   secret is ever in one.
 * - `inbox-<userId>`: the user read one notification, or all of them.
 * - `notification-settings-<userId>`: the user's settings for one revolt, as they are after the change.
 * - `announcement-<id>`: an operator's system announcement, to everyone or to one revolt's members.
 */
export const notificationEventSchemas = {
  NotificationsIssued: z.object({
    batchId: idSchema,
    type: notificationTypeSchema,
    recipients: z.array(idSchema).min(1),
    title: z.string().max(MAX_TITLE_LENGTH),
    message: z.string().max(MAX_MESSAGE_LENGTH),
    revoltId: idSchema.optional(),
    channelId: idSchema.optional(),
    messageId: idSchema.optional(),
    /** Who caused it (the author, the joiner, the inviter); never the donor of an anonymous donation. */
    actorId: idSchema.optional(),
    actionUrl: z.string().optional(),
    createdAt: isoDate,
  }),
  NotificationRead: z.object({ userId: idSchema, notificationId: idSchema, at: isoDate }),
  NotificationsReadAll: z.object({ userId: idSchema, at: isoDate }),
  NotificationSettingsUpdated: revoltNotificationSettingsSchema.extend({ userId: idSchema, revoltId: idSchema, at: isoDate }),
  AnnouncementPosted: z.object({
    announcementId: idSchema,
    /** One revolt's members, or (absent) every registered user. */
    revoltId: idSchema.optional(),
    title: z.string().min(1).max(MAX_TITLE_LENGTH),
    message: z.string().min(1).max(MAX_MESSAGE_LENGTH),
    postedBy: z.string().min(1),
    at: isoDate,
  }),
} as const;

type Schemas = typeof notificationEventSchemas;
export type NotificationEvent = EventsOf<Schemas>;
export type NotificationEventOf<T extends NotificationEvent['type']> = Extract<NotificationEvent, { type: T }>;
export type NotificationsIssuedData = z.infer<Schemas['NotificationsIssued']>;
export type AnnouncementPostedData = z.infer<Schemas['AnnouncementPosted']>;

/** Where a batch is recorded: its revolt's notifications stream, or the system's. */
export const notificationsStream = (revoltId: string | undefined) => `notifications-${revoltId ?? 'system'}`;
export const inboxStream = (userId: string) => `inbox-${userId}`;
export const notificationSettingsStream = (userId: string) => `notification-settings-${userId}`;
export const announcementStream = (announcementId: string) => `announcement-${announcementId}`;
