import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import { newId } from '../../../src/events/ids.ts';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../../../src/projections/engine/read-model.ts';
import { openMessageSearch, type MessageSearch, type SearchPage } from '../../../src/projections/search/message-search.ts';
import { PG_TEST_URL } from '../../support/engines.ts';
import { at } from '../support.ts';

const schema = `t_search_${randomBytes(4).toString('hex')}`;
let search: MessageSearch;
beforeAll(async () => {
  search = await openMessageSearch({ connectionString: PG_TEST_URL, schema });
});
afterAll(async () => {
  await search?.close();
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

const revolt = newId();
const [general, secret] = [newId(), newId()];
const author = newId();
const reader = newId();
let position = 0;
let clock = Date.parse('2025-01-01T00:00:00Z');

function sent(content: string, channelId = general, revoltId = revolt) {
  const messageId = newId();
  const event = at(++position, 'MessageSent', {
    messageId, channelId, revoltId, authorId: author, content, type: 'text',
    mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, createdAt: new Date((clock += 1000)).toISOString(),
  });
  return { messageId, event };
}
const ref = (m: { messageId: string }, channelId = general) => ({ messageId: m.messageId, channelId, revoltId: revolt });
const edited = (m: { messageId: string }, content: string) =>
  at(++position, 'MessageEdited', { ...ref(m), content, mentions: [], roleMentions: [], channelMentions: [], mentionEveryone: false, embeds: [], editedBy: author, editedAt: new Date((clock += 1000)).toISOString() });

const catalogue = buildEventCatalogue();
const noCtx = {} as ProjectionContext;
/** Both ways the lane delivers: in batches (runs of MessageSent coalesced) and one event at a time; each twice (redelivery). */
const deliveries = {
  'in batches': (events: RecordedEvent[]) => applyEvents(upcasting(search.readModel, catalogue), events, noCtx),
  'one by one': async (events: RecordedEvent[]) => {
    for (const event of events) await upcasting(search.readModel, catalogue).apply(event, noCtx);
  },
};
const find = async (query: string, page: Partial<SearchPage> = {}) =>
  (await search.search({ revoltId: revolt, channelIds: [general], query, limit: 50, ...page })).map((doc) => doc.id);

describe('the search read model', () => {
  for (const [how, deliver] of Object.entries(deliveries)) {
    it(`given messages, edits, deletes, reactions and pins (${how}, delivered twice): words, phrases, newest first, readable channels only`, async () => {
      await search.truncate();
      const plan = sent('The Plan (v1.0) is public');
      const secretPlan = sent('the plan is SECRET', secret);
      const other = sent('another plan, not the public one');
      const gone = sent('plan to delete');
      const foreign = sent('their plan', newId(), newId());
      const later = sent('nothing yet');
      const unicode = sent('Ünïcode café 日本語 résumé');
      const events = [
        plan.event, secretPlan.event, other.event, gone.event, foreign.event, later.event, unicode.event,
        edited(later, 'a later plan'),
        at(++position, 'MessageDeleted', { ...ref(gone), deletedBy: author, deletedAt: new Date((clock += 1000)).toISOString() }),
        at(++position, 'ReactionAdded', { ...ref(plan), emoji: '👍', userId: reader, at: new Date(clock).toISOString() }),
        at(++position, 'ReactionAdded', { ...ref(plan), emoji: '👍', userId: author, at: new Date(clock).toISOString() }),
        at(++position, 'ReactionRemoved', { ...ref(plan), emoji: '👍', userId: author, at: new Date(clock).toISOString() }),
        at(++position, 'MessagePinned', { ...ref(plan), pinnedBy: author, pinnedAt: new Date(clock).toISOString() }),
      ];
      await deliver(events);
      await deliver(events); // redelivered: every write is guarded by position

      expect(await find('PLAN')).toEqual([later.messageId, other.messageId, plan.messageId]);
      expect(await find('plan', { channelIds: [general, secret] })).toEqual([later.messageId, other.messageId, secretPlan.messageId, plan.messageId]);
      expect(await find('plan', { channelIds: [] })).toEqual([]);
      expect(await find('"the plan"')).toEqual([plan.messageId]);
      expect(await find('"plan the"')).toEqual([]);
      expect(await find('public -another')).toEqual([plan.messageId]);
      expect(await find('nothing')).toEqual([]); // edited away
      expect(await find('delete')).toEqual([]); // deleted
      expect(await find('plan (v1.0)')).toEqual([plan.messageId]);
      expect(await find('ünïcode RÉSUMÉ 日本語')).toEqual([unicode.messageId]);
      expect(await find('plan', { limit: 1, before: (await search.anchor(revolt, [general], other.messageId))! })).toEqual([plan.messageId]);
      expect(await search.anchor(revolt, [general], secretPlan.messageId)).toBeNull();
      expect(await search.anchor(revolt, [general], gone.messageId)).not.toBeNull(); // a deleted message still anchors, as in `messages`

      const [doc] = await search.search({ revoltId: revolt, channelIds: [general], query: '"the plan"', limit: 1 });
      expect(doc).toMatchObject({ id: plan.messageId, content: 'The Plan (v1.0) is public', pinned: true, isDeleted: false, reactions: [{ emoji: '👍', count: 1, users: [reader] }] });
      const [laterDoc] = await search.search({ revoltId: revolt, channelIds: [general], query: 'later', limit: 1 });
      expect(laterDoc).toMatchObject({ content: 'a later plan', editedAt: expect.any(String) });

      await deliver([
        at(++position, 'MessageUnpinned', { ...ref(plan), unpinnedBy: author, unpinnedAt: new Date(clock).toISOString(), reason: 'unpinned' }),
        at(++position, 'ChannelDeleted', { revoltId: revolt, channelId: secret, at: new Date(clock).toISOString() }),
      ]);
      const [unpinned] = await search.search({ revoltId: revolt, channelIds: [general], query: '"the plan"', limit: 1 });
      expect(unpinned).toMatchObject({ pinned: false });
      expect(unpinned).not.toHaveProperty('pinnedAt');
      expect(await find('secret', { channelIds: [general, secret] })).toEqual([]);
      await deliver([at(++position, 'RevoltDeleted', { revoltId: revolt, deletedBy: author, deletedAt: new Date(clock).toISOString() })]);
      expect(await find('plan')).toEqual([]);
    });
  }

  it('hostile queries are words, never syntax: operators, quotes, unicode, punctuation only', async () => {
    await search.truncate();
    const m = sent('a & b | c ! d <-> e :* f');
    await deliveries['in batches']([m.event]);
    for (const query of ['&', '|', '!', '<->', ':*', '"', '""', "'", '\\', 'a & | b', '(((', '-', 'or', '"unterminated', '🙂', '‮', 'x'.repeat(100)]) {
      await expect(search.search({ revoltId: revolt, channelIds: [general], query, limit: 5 })).resolves.toBeInstanceOf(Array);
    }
    expect(await find('a & b')).toEqual([m.messageId]);
  });
});
