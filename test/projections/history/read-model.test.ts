import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId, type Db, type Document, type Filter } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/api/messages/representation.ts';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { newId } from '../../../src/events/ids.ts';
import { liveContext } from '../../../src/projections/engine/context.ts';
import { createSpecIndexes } from '../../../src/projections/engine/indexes.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../../../src/projections/engine/read-model.ts';
import { openChannelHistory, type ChannelHistory, type TimelinePage } from '../../../src/projections/history/channel-history.ts';
import { beyond, NEWEST_FIRST, OLDEST_FIRST } from '../../../src/projections/messages/cursor.ts';
import { messageView } from '../../../src/projections/messages/document.ts';
import { messagesReadModel } from '../../../src/projections/messages/read-model.ts';
import { shownTo } from '../../../src/projections/search/document.ts';
import { HIDDEN } from '../../../src/projections/views.ts';
import { MONGO_URL, PG_TEST_URL } from '../../support/engines.ts';
import { at } from '../support.ts';

const schema = `t_history_${randomBytes(4).toString('hex')}`;
let history: ChannelHistory;
let mongo: MongoClient;
let db: Db;
beforeAll(async () => {
  history = await openChannelHistory({ connectionString: PG_TEST_URL, schema });
  mongo = await MongoClient.connect(MONGO_URL, { serverSelectionTimeoutMS: 3_000 });
  db = mongo.db(schema);
});
afterAll(async () => {
  await history?.close();
  await db?.dropDatabase();
  await mongo?.close();
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

const catalogue = buildEventCatalogue();
const revolt = newId();
const [general, other] = [newId(), newId()];
const [author, reader] = [newId(), newId()];
let position = 0;
const base = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number) => new Date(base + ms).toISOString();

/** A message whose createdAt is `ms` after the base: several share one, and positions do not follow them. */
function sent(ms: number, channelId = general) {
  const messageId = newId();
  const event = at(++position, 'MessageSent', {
    messageId, channelId, revoltId: revolt, authorId: author, content: `at ${ms}`, type: 'text',
    mentions: [reader], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: iso(ms),
    ...(ms % 5 === 0 && { embeds: [{ type: 'rich' as const, title: 'when', timestamp: '2025-01-01T02:00:00+02:00', fields: [] }] }),
  });
  return { messageId, event };
}
const ref = (messageId: string, channelId = general) => ({ messageId, channelId, revoltId: revolt });

/** Both ways the lane delivers, each twice (redelivery changes nothing). */
async function deliver(events: RecordedEvent[], oneByOne: boolean) {
  const targets = [
    { readModel: upcasting(messagesReadModel, catalogue), ctx: liveContext(db, messagesReadModel) },
    { readModel: upcasting(history.readModel, catalogue), ctx: {} as ProjectionContext },
  ];
  for (let round = 0; round < 2; round++) {
    for (const { readModel, ctx } of targets) {
      if (!oneByOne) await applyEvents(readModel, events, ctx);
      else for (const event of events) await readModel.apply(event, ctx);
    }
  }
}

/** The page as GET /channels/:id/messages read it from the `messages` collection before the history read model. */
async function seedPage(channelId: string, limit: number, direction: TimelinePage['direction'], anchorId?: string, inclusive = false) {
  const messages = db.collection('messages');
  const live = { channelId: new ObjectId(channelId), isDeleted: false };
  const anchor = anchorId ? await messages.findOne({ id: anchorId }, { projection: { createdAt: 1 } }) : null;
  const filter: Filter<Document> = !anchor ? {} : inclusive ? { $or: [beyond(anchor, '$lt'), { _id: anchor._id }] } : beyond(anchor, direction === 'older' ? '$lt' : '$gt');
  if (limit === 0) return [];
  const docs = await messages.find({ ...live, ...filter }, { projection: HIDDEN }).sort(direction === 'older' ? NEWEST_FIRST : OLDEST_FIRST).limit(limit).toArray();
  return docs.map((doc) => JSON.parse(JSON.stringify(messageView(doc, reader))));
}

async function historyPage(channelId: string, limit: number, direction: TimelinePage['direction'], anchorId?: string, inclusive = false) {
  const place = anchorId ? await history.place(channelId, anchorId) : null;
  const docs = await history.page({ channelId, limit, direction, from: place ? { ...place, inclusive } : undefined });
  return docs.map((doc) => shownTo(doc, reader) as Message);
}

describe('the channel history read model', () => {
  for (const oneByOne of [false, true]) {
    it(`given sends (shared and out-of-order createdAt), edits, deletes, reactions and pins (${oneByOne ? 'one by one' : 'in batches'}): every page equals the messages collection's`, async () => {
      await history.truncate();
      await db.dropDatabase();
      for (const spec of messagesReadModel.collections) await createSpecIndexes(db.collection(spec.name), spec);
      const times = [5, 3, 3, 3, 9, 1, 7, 7, 2, 10, 0, 4, 4, 8, 6, 6, 6, 11];
      const messages = times.map((ms) => sent(ms));
      const elsewhere = [sent(4, other), sent(12, other)];
      const [m0, m1, m2, m3, m4] = messages.map((m) => m.messageId) as [string, string, string, string, string];
      const now = iso(100);
      const events = [
        ...messages.slice(0, 9).map((m) => m.event),
        ...elsewhere.map((m) => m.event),
        at(++position, 'MessageEdited', { ...ref(m0), content: 'edited', mentions: [], roleMentions: ['r'], channelMentions: [other], mentionEveryone: true, embeds: [], editedBy: author, editedAt: now }),
        at(++position, 'MessageDeleted', { ...ref(m1), deletedBy: author, deletedAt: now }),
        at(++position, 'ReactionAdded', { ...ref(m2), emoji: '👍', userId: reader, at: now }),
        at(++position, 'ReactionAdded', { ...ref(m2), emoji: '👍', userId: author, at: now }),
        at(++position, 'ReactionAdded', { ...ref(m2), emoji: '🎉', userId: author, at: now }),
        at(++position, 'ReactionRemoved', { ...ref(m2), emoji: '👍', userId: author, at: now }),
        at(++position, 'MessagePinned', { ...ref(m3), pinnedBy: author, pinnedAt: now }),
        at(++position, 'MessagePinned', { ...ref(m4), pinnedBy: author, pinnedAt: now }),
        at(++position, 'MessageUnpinned', { ...ref(m4), unpinnedBy: author, unpinnedAt: now, reason: 'unpinned' }),
        ...messages.slice(9).map((m) => m.event),
        at(++position, 'MessageDeleted', { ...ref(messages.at(-1)!.messageId), deletedBy: author, deletedAt: now }),
      ];
      await deliver(events, oneByOne);

      const anchors = [...messages.map((m) => m.messageId), elsewhere[0]!.messageId];
      let compared = 0;
      for (const limit of [0, 1, 2, 3, 50]) {
        for (const direction of ['older', 'newer'] as const) {
          expect(await historyPage(general, limit, direction)).toEqual(await seedPage(general, limit, direction));
          for (const anchorId of anchors) {
            if (!(await history.place(general, anchorId))) {
              expect(anchorId).toBe(elsewhere[0]!.messageId); // another channel's message is no cursor here
              continue;
            }
            // The route's pages: before/after beyond the anchor, and around's older half holding the anchor itself.
            for (const inclusive of direction === 'older' ? [false, true] : [false]) {
              const expected = await seedPage(general, limit, direction, anchorId, inclusive);
              expect(await historyPage(general, limit, direction, anchorId, inclusive), `${limit} ${direction} ${anchorId} ${inclusive}`).toEqual(expected);
              compared += expected.length;
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(500);
      const whole = await historyPage(general, 50, 'older');
      expect(whole.map((m) => m.content)).toContain('edited');
      expect(whole.find((m) => m.id === m2)?.reactions).toEqual([
        { emoji: '👍', count: 1, users: [reader], me: true },
        { emoji: '🎉', count: 1, users: [author], me: false },
      ]);
      expect(whole.find((m) => m.id === m1)).toBeUndefined(); // deleted: never on a page, still a cursor
      expect(await history.place(general, m1)).not.toBeNull();

      // A rebuild: the same events replayed from position 0 into an empty table, in pages, once.
      const rows = await history.rows();
      await history.truncate();
      for (let i = 0; i < events.length; i += 7) await applyEvents(upcasting(history.readModel, catalogue), events.slice(i, i + 7), {} as ProjectionContext);
      expect(await history.rows()).toEqual(rows);
    });
  }

});
