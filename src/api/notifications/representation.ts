import { z } from 'zod';
import { notificationTypeSchema, revoltNotificationSettingsSchema } from '../../commands/notifications/events.ts';
import { objectId, timestamp } from '../schemas/fields.ts';

/** The seed's Notification, as its recipient reads it. */
export const notificationSchema = z
  .object({
    id: z.string(),
    type: notificationTypeSchema,
    title: z.string(),
    message: z.string(),
    userId: objectId,
    revoltId: objectId.optional(),
    channelId: objectId.optional(),
    messageId: z.string().optional(),
    actorId: objectId.optional().describe('who caused it; never the donor of an anonymous donation'),
    isRead: z.boolean(),
    readAt: timestamp.optional(),
    actionUrl: z.string().optional(),
    createdAt: timestamp,
  })
  .meta({ id: 'Notification' });

export const revoltSettingsSchema = revoltNotificationSettingsSchema.extend({ revoltId: z.string() });

/** A user's notification settings: one entry per revolt they changed anything for (the others have every notification on). */
export const notificationSettingsSchema = z.object({ revolts: z.array(revoltSettingsSchema) }).meta({ id: 'NotificationSettings' });
