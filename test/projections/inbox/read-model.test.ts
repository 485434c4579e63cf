import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import { notificationIdOf } from '../../../src/commands/notifications/ids.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { liveContext } from '../../../src/projections/engine/context.ts';
import { createSpecIndexes } from '../../../src/projections/engine/indexes.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../../../src/projections/engine/read-model.ts';
import { openInbox, type Inbox, type InboxNotification } from '../../../src/projections/inbox/inbox.ts';
import { NOTIFICATION_COUNTERS, NOTIFICATIONS, notificationsReadModel } from '../../../src/projections/notifications/read-model.ts';
import { HIDDEN } from '../../../src/projections/views.ts';
import { MONGO_URL, PG_TEST_URL } from '../../support/engines.ts';

const catalogue = buildEventCatalogue();
const schema = `t_inbox_${randomBytes(4).toString('hex')}`;
let inbox: Inbox;
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  inbox = await openInbox({ connectionString: PG_TEST_URL, schema });
  mongo = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000, maxPoolSize: 3 });
  db = mongo.db(schema);
});
afterAll(async () => {
  await inbox?.close();
  await db?.dropDatabase();
  await mongo?.close();
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

const hex = (n: number) => n.toString(16).padStart(24, '0');
const [ada, bob, carol] = [hex(1), hex(2), hex(3)] as [string, string, string];
const base = Date.parse('2026-06-01T00:00:00Z');
/** Times `ms` after the base: several batches share one, and positions do not follow them. */
const when = (ms: number) => new Date(base + ms).toISOString();
let position = 0;

function event(type: string, data: Record<string, unknown>): RecordedEvent {
  catalogue.assertValid(type, data);
  const metadata = { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: when(0), schemaVersion: 1 };
  return { id: randomUUID(), type, data, streamId: 'test', revision: 0, position: ++position, metadata };
}
function issued(recipients: string[], ms: number) {
  const batchId = hex(0x100000 + position);
  const createdAt = when(ms);
  const data = { batchId, type: 'channel_mention', recipients, title: 'mentioned', message: `at ${ms}`, revoltId: hex(0x10), actorId: carol, createdAt };
  return { event: event('NotificationsIssued', data), idOf: (userId: string) => notificationIdOf(batchId, userId, createdAt) };
}
const read = (userId: string, notificationId: string, ms: number) => event('NotificationRead', { userId, notificationId, at: when(ms) });
const readAll = (userId: string, ms: number) => event('NotificationsReadAll', { userId, at: when(ms) });

/** Both read models, both ways the lane delivers (in batches or one by one), each delivery twice. */
async function deliver(events: RecordedEvent[], oneByOne: boolean): Promise<void> {
  const targets = [
    { readModel: upcasting(notificationsReadModel, catalogue), ctx: liveContext(db, notificationsReadModel) },
    { readModel: upcasting(inbox.readModel, catalogue), ctx: {} as ProjectionContext },
  ];
  for (let round = 0; round < 2; round++) {
    for (const { readModel, ctx } of targets) {
      if (!oneByOne) await applyEvents(readModel, events, ctx);
      else for (const each of events) await readModel.apply(each, ctx);
    }
  }
}

/** A page as GET /notifications read it from the seed's collection before the inbox read model, as JSON. */
async function seedPage(userId: string, limit: number, unreadOnly: boolean, before?: InboxNotification): Promise<Document[]> {
  const filter: Document = { userId: new ObjectId(userId), ...(unreadOnly && { isRead: false }) };
  const at = before && new Date(before.createdAt);
  const after = at ? { $or: [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: before.id } }] } : {};
  const docs = await db.collection(NOTIFICATIONS).find({ $and: [filter, after] }, { projection: HIDDEN }).sort({ createdAt: -1, id: -1 }).limit(limit).toArray();
  return JSON.parse(JSON.stringify(docs));
}

/** Every page of `limit`, each after the last one's last notification, until a short one. */
async function allPages(userId: string, limit: number, unreadOnly: boolean): Promise<InboxNotification[]> {
  const all: InboxNotification[] = [];
  for (;;) {
    const last = all.at(-1);
    const page = await inbox.page({ userId, limit, unreadOnly, before: last && { createdAt: new Date(last.createdAt), id: last.id } });
    expect(page).toEqual(await seedPage(userId, limit, unreadOnly, last));
    all.push(...page);
    if (page.length < limit) return all;
  }
}

describe('the inbox read model', () => {
  for (const oneByOne of [false, true]) {
    it(`given batches (shared and out-of-order times), reads and read-alls (${oneByOne ? 'one by one' : 'in batches'}): every page and count equals the notifications read model's, and a rebuild from 0 equals it`, async () => {
      await inbox.truncate();
      await db.dropDatabase();
      for (const spec of notificationsReadModel.collections) await createSpecIndexes(db.collection(spec.name), spec);
      const times = [5, 3, 3, 3, 9, 1, 7, 7, 2, 10, 0, 4, 4, 8, 6, 6, 6, 11];
      // Events made in delivery order, so positions rise along it.
      const batches: Array<ReturnType<typeof issued>> = [];
      const issue = (from: number, to: number) => times.slice(from, to).map((ms, i) => batches[from + i] = issued((from + i) % 3 === 0 ? [ada, bob] : [ada, bob, carol], ms));
      const events = [
        ...issue(0, 9).map((b) => b.event),
        read(ada, batches[0]!.idOf(ada), 20),
        read(ada, batches[0]!.idOf(ada), 21), // read twice: counted down once
        read(ada, batches[4]!.idOf(ada), 22),
        read(bob, batches[1]!.idOf(bob), 23),
        readAll(carol, 24),
        ...issue(9, times.length).map((b) => b.event),
        read(carol, batches[10]!.idOf(carol), 25),
        readAll(bob, 26),
        read(bob, batches[17]!.idOf(bob), 27), // read already (by read-all)
      ];
      await deliver(events, oneByOne);

      for (const userId of [ada, bob, carol]) {
        const counter = await db.collection<{ _id: string; unread: number }>(NOTIFICATION_COUNTERS).findOne({ _id: userId });
        expect(await inbox.unreadCount(userId), userId).toBe(counter?.unread);
        for (const limit of [1, 2, 5, 50]) {
          for (const unreadOnly of [false, true]) await allPages(userId, limit, unreadOnly);
        }
      }
      expect(await inbox.unreadCount(ada)).toBe(18 - 2);
      expect(await inbox.unreadCount(bob)).toBe(0);
      expect(await inbox.unreadCount(carol)).toBe(6 - 1); // read-all, then the later six batches that named her, one read
      expect(await inbox.unreadCount(hex(9))).toBe(0);
      const adaRead = await inbox.notification(ada, batches[0]!.idOf(ada));
      expect(adaRead).toMatchObject({ id: batches[0]!.idOf(ada), userId: ada, isRead: true, readAt: new Date(when(20)).toISOString(), actorId: carol });
      expect(await inbox.notification(bob, batches[0]!.idOf(ada))).toBeNull(); // someone else's
      expect((await allPages(ada, 50, false)).map((n) => n.message)).toEqual([...times].sort((a, b) => b - a).map((ms) => `at ${ms}`));

      // A rebuild: the same events replayed from position 0 into empty tables, in pages, once.
      const rows = await inbox.rows();
      await inbox.truncate();
      for (let i = 0; i < events.length; i += 7) await applyEvents(upcasting(inbox.readModel, catalogue), events.slice(i, i + 7), {} as ProjectionContext);
      expect(await inbox.rows()).toEqual(rows);
    });
  }

  it('pages across thousands of notifications of one user: every one once, newest first, whatever the page size', async () => {
    await inbox.truncate();
    const batches = Array.from({ length: 3000 }, (_, i) => issued([ada, bob], (i * 7919) % 500)); // 500 distinct times, 6 batches each
    const reads = batches.filter((_, i) => i % 4 === 0).map((b, i) => read(ada, b.idOf(ada), 1000 + i));
    await applyEvents(upcasting(inbox.readModel, catalogue), [...batches.map((b) => b.event), ...reads], {} as ProjectionContext);
    const expected = batches
      .map((b, i) => ({ id: b.idOf(ada), at: (i * 7919) % 500, read: i % 4 === 0 }))
      .sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1));
    expect(await inbox.unreadCount(ada)).toBe(3000 - 750);
    for (const [limit, unreadOnly] of [[100, false], [37, true]] as const) {
      const seen: string[] = [];
      let before: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await inbox.page({ userId: ada, limit, unreadOnly, before });
        seen.push(...page.map((n) => n.id));
        const last = page.at(-1);
        if (!last) break;
        before = { createdAt: new Date(last.createdAt), id: last.id };
      }
      expect(seen).toEqual(expected.filter((n) => !unreadOnly || !n.read).map((n) => n.id));
    }
  });
});
