import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import { notificationIdOf } from '../../../src/commands/notifications/ids.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { liveContext } from '../../../src/projections/engine/context.ts';
import { createSpecIndexes } from '../../../src/projections/engine/indexes.ts';
import { NOTIFICATION_COUNTERS, NOTIFICATIONS, notificationsReadModel } from '../../../src/projections/notifications/read-model.ts';
import { MONGO_URL } from '../../support/engines.ts';

const catalogue = buildEventCatalogue();
const hex = (n: number) => n.toString(16).padStart(24, '0');
const [ada, bob, carol] = [hex(1), hex(2), hex(3)] as [string, string, string];
const at = '2026-06-01T00:00:00.000Z';

function event(position: number, type: string, data: Record<string, unknown>): RecordedEvent {
  catalogue.assertValid(type, data);
  return { id: randomUUID(), type, data, streamId: 'test', revision: 0, position, metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: at, schemaVersion: 1 } };
}
const issued = (position: number, batchId: string, recipients: string[]) =>
  event(position, 'NotificationsIssued', { batchId, type: 'channel_mention', recipients, title: 'mentioned', message: 'hi', revoltId: hex(0x10), createdAt: at });
const read = (position: number, userId: string, notificationId: string) => event(position, 'NotificationRead', { userId, notificationId, at });
const readAll = (position: number, userId: string) => event(position, 'NotificationsReadAll', { userId, at });

let client: MongoClient;
let db: Db;
beforeAll(async () => {
  client = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000, maxPoolSize: 3 });
  db = client.db(`t_notifications_${randomBytes(4).toString('hex')}`);
  for (const spec of notificationsReadModel.collections) await createSpecIndexes(db.collection(spec.name), spec);
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

const ctx = () => liveContext(db, notificationsReadModel);
const apply = async (...events: RecordedEvent[]) => {
  for (const each of events) await notificationsReadModel.apply(each, ctx());
};
const unread = async (userId: string) => (await db.collection<{ _id: string; unread: number }>(NOTIFICATION_COUNTERS).findOne({ _id: userId }))?.unread;

describe('the notifications read model', () => {
  it('one document per recipient with the id the batch derives, and unread counts exact when every event is delivered twice', async () => {
    const [one, two] = [hex(0xa1), hex(0xa2)];
    const first = issued(1, one, [ada, bob]);
    const second = issued(2, two, [ada, bob, carol]);
    const adaFirst = notificationIdOf(one, ada, at);
    const history = [first, second, read(3, ada, adaFirst), read(4, ada, adaFirst), readAll(5, bob)];
    await apply(...history);
    await apply(...history);

    const docs = await db.collection(NOTIFICATIONS).find({ userId: new ObjectId(ada) }).sort({ _id: 1 }).toArray();
    expect(docs.map((doc) => doc.id).sort()).toEqual([adaFirst, notificationIdOf(two, ada, at)].sort());
    expect(docs.find((doc) => doc.id === adaFirst)).toMatchObject({ _id: new ObjectId(adaFirst), type: 'channel_mention', userId: new ObjectId(ada), isRead: true, readAt: new Date(at) });
    expect([await unread(ada), await unread(bob), await unread(carol)]).toEqual([1, 0, 1]);
    expect(await db.collection(NOTIFICATIONS).countDocuments({ userId: new ObjectId(bob), isRead: false })).toBe(0);
  });

  it('a read whose first write was made before a crash still counts down once when delivered again', async () => {
    const batch = hex(0xb1);
    await apply(issued(10, batch, [carol]));
    const id = notificationIdOf(batch, carol, at);
    expect(await unread(carol)).toBe(2);
    // The crash: the document was marked by the read at 11, the counter not yet.
    await db.collection(NOTIFICATIONS).updateOne({ _id: new ObjectId(id) }, { $set: { isRead: true, readAt: new Date(at), _pos: 11 } });
    await apply(read(11, carol, id), read(11, carol, id));
    expect(await unread(carol)).toBe(1);
  });
});
