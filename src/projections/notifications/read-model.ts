import { ObjectId, type Collection, type Document } from 'mongodb';
import type { NotificationEventOf } from '../../commands/notifications/events.ts';
import { notificationOf } from '../../commands/notifications/notification.ts';
import type { RecordedEvent } from '../../events/envelope.ts';
import { insertManyOnce, POSITION_FIELD, updateGuarded } from '../engine/guard.ts';
import { insertAbsent } from './bulk.ts';
import type { ProjectionContext, ReadModel } from '../engine/read-model.ts';

export const NOTIFICATIONS = 'notifications';
/** Per user (`_id` the user id): `unread`, exact under reads and read-all, so the count is one read by `_id`. */
export const NOTIFICATION_COUNTERS = 'notificationCounters';
/** Per user (`_id` the user id): `revolts.<revoltId>` holds their settings for that revolt. */
export const NOTIFICATION_SETTINGS = 'notificationSettings';

/** Documents per insertMany, and ids per counter update: bounded round trips for any audience. */
const CHUNK = 1000;

type Issued = RecordedEvent & NotificationEventOf<'NotificationsIssued'>;
type Event = RecordedEvent & NotificationEventOf<'NotificationsIssued' | 'NotificationRead' | 'NotificationsReadAll' | 'NotificationSettingsUpdated'>;
const HANDLED = new Set<string>(['NotificationsIssued', 'NotificationRead', 'NotificationsReadAll', 'NotificationSettingsUpdated']);

interface CounterDoc {
  _id: string;
  unread: number;
  [POSITION_FIELD]: number;
}

const ID_FIELDS = ['userId', 'revoltId', 'channelId', 'actorId'] as const;

/** One recipient's document, in the seed's shape (ObjectId references, Date times): the same whenever it is built. */
function notificationDoc(data: Issued['data'], userId: string): Document & { id: string } {
  const notification = notificationOf(data, userId);
  const doc: Document & { id: string } = { _id: new ObjectId(notification.id), ...notification, createdAt: new Date(notification.createdAt) };
  for (const field of ID_FIELDS) if (notification[field] !== undefined) doc[field] = new ObjectId(notification[field]);
  return doc;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Adds one to each recipient's unread count: one update for the counters there are (those that have not seen the
 * event), then one insert of a counter at 1 for every recipient, which leaves the ones there alone. Given again,
 * the update finds every counter at the event's position already, and the insert finds them all there.
 */
async function countUnread(counters: Collection<CounterDoc>, recipients: readonly string[], position: number): Promise<void> {
  for (const ids of chunks(recipients)) {
    await counters.updateMany({ _id: { $in: ids }, [POSITION_FIELD]: { $lt: position } }, { $inc: { unread: 1 }, $set: { [POSITION_FIELD]: position } });
    await insertAbsent(counters, ids.map((_id) => ({ _id, unread: 1, [POSITION_FIELD]: position })));
  }
}

async function apply(event: Event, ctx: ProjectionContext): Promise<void> {
  const notifications = ctx.collection(NOTIFICATIONS);
  const counters = ctx.collection<CounterDoc>(NOTIFICATION_COUNTERS);
  switch (event.type) {
    case 'NotificationsIssued': {
      const { data, position } = event;
      for (const userIds of chunks(data.recipients)) {
        await insertManyOnce(notifications, userIds.map((userId) => ({ doc: notificationDoc(data, userId), position })));
      }
      return countUnread(counters, data.recipients, position);
    }
    case 'NotificationRead': {
      const { userId, notificationId, at } = event.data;
      const _id = new ObjectId(notificationId);
      const read = await updateGuarded(notifications, { _id, isRead: false }, { $set: { isRead: true, readAt: new Date(at) } }, event.position);
      // Counted down once: by the delivery that read it, or by a redelivery after a crash between the two writes.
      const readByThis = read > 0 || (await notifications.findOne({ _id }, { projection: { [POSITION_FIELD]: 1 } }))?.[POSITION_FIELD] === event.position;
      if (readByThis) await updateGuarded(counters, { _id: userId }, { $inc: { unread: -1 } }, event.position);
      return;
    }
    case 'NotificationsReadAll': {
      const { userId, at } = event.data;
      await updateGuarded(notifications, { userId: new ObjectId(userId), isRead: false }, { $set: { isRead: true, readAt: new Date(at) } }, event.position, { many: true });
      await updateGuarded(counters, { _id: userId }, { $set: { unread: 0 } }, event.position);
      return;
    }
    case 'NotificationSettingsUpdated': {
      const { userId, revoltId, muted, mentionsOnly, suppressJoinLeave } = event.data;
      const settings = ctx.collection(NOTIFICATION_SETTINGS);
      await updateGuarded(settings, { _id: userId } as Document, { $set: { [`revolts.${revoltId}`]: { muted, mentionsOnly, suppressJoinLeave } } }, event.position, { upsert: true });
      return;
    }
  }
}

/**
 * `notifications`: the seed's collection, one document per recipient of each NotificationsIssued (written in
 * bulk), marked read by NotificationRead and NotificationsReadAll; beside it each user's unread count and settings.
 * Recipients are fixed in the events, so a rebuild from position 0 writes the same documents.
 */
export const notificationsReadModel: ReadModel = {
  name: 'notifications',
  collections: [
    {
      name: NOTIFICATIONS,
      indexes: [{ key: { userId: 1, createdAt: -1 } }, { key: { isRead: 1 } }, { key: { type: 1 } }, { key: { revoltId: 1 } }],
    },
    { name: NOTIFICATION_COUNTERS, indexes: [] },
    { name: NOTIFICATION_SETTINGS, indexes: [] },
  ],
  async apply(event, ctx) {
    if (HANDLED.has(event.type)) await apply(event as Event, ctx);
  },
};
