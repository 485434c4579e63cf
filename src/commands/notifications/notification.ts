import type { NotificationsIssuedData, NotificationType } from './events.ts';
import { notificationIdOf } from './ids.ts';

/** One recipient's notification of a batch, as its recipient reads it (ids as hex, times as ISO 8601). */
export interface Notification {
  id: string;
  type: NotificationType;
  title: string;
  message: string;
  userId: string;
  revoltId?: string;
  channelId?: string;
  messageId?: string;
  actorId?: string;
  isRead: boolean;
  actionUrl?: string;
  createdAt: string;
}

/** `userId`'s notification of the batch: the same id and content whoever builds it (the read model, the gateway). */
export function notificationOf(batch: NotificationsIssuedData, userId: string): Notification {
  const { type, title, message, revoltId, channelId, messageId, actorId, actionUrl, createdAt } = batch;
  return {
    id: notificationIdOf(batch.batchId, userId, createdAt),
    type,
    title,
    message,
    userId,
    ...(revoltId !== undefined && { revoltId }),
    ...(channelId !== undefined && { channelId }),
    ...(messageId !== undefined && { messageId }),
    ...(actorId !== undefined && { actorId }),
    isRead: false,
    ...(actionUrl !== undefined && { actionUrl }),
    createdAt,
  };
}
