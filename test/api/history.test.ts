import { ObjectId, type Document, type Filter } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageShownTo } from '../../src/api/messages/representation.ts';
import { HISTORY_READ_MODEL } from '../../src/projections/history/read-model.ts';
import { beyond, NEWEST_FIRST, OLDEST_FIRST } from '../../src/projections/messages/cursor.ts';
import { HIDDEN } from '../../src/projections/views.ts';
import { startTestServer, type ApiResponse } from '../support/api.ts';
import pg from 'pg';
import { historyLocation } from '../../src/projections/history/schema.ts';

let t: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  t = await startTestServer('history');
});
afterAll(() => t?.close());

const after = (...responses: ApiResponse[]) => ({ 'x-min-position': String(Math.max(...responses.map((r) => Number(r.headers['x-event-position'])))) });

/**
 * GET /channels/:id/messages as it read the `messages` collection before the history read model (the reference the
 * route must still equal), `around`'s newer half with no limit of 0 (MongoDB reads `limit(0)` as no limit).
 */
async function seedPage(channelId: string, viewerId: string, query: { limit: number; before?: string; after?: string; around?: string }) {
  const messages = t.server.services.db.collection('messages');
  const base = { channelId: new ObjectId(channelId), isDeleted: false };
  const cursorId = query.before ?? query.after ?? query.around;
  const anchor = cursorId ? await messages.findOne({ id: cursorId, channelId: base.channelId }, { projection: { createdAt: 1 } }) : null;
  const page = async (filter: Filter<Document>, sort: typeof NEWEST_FIRST | typeof OLDEST_FIRST, n: number) =>
    n === 0 ? [] : (await messages.find({ ...base, ...filter }, { projection: HIDDEN }).sort(sort).limit(n).toArray()).map((m) => messageShownTo(m, viewerId));
  const items = async () => {
    if (!anchor) return page({}, NEWEST_FIRST, query.limit);
    if (query.before) return page(beyond(anchor, '$lt'), NEWEST_FIRST, query.limit);
    if (query.after) return (await page(beyond(anchor, '$gt'), OLDEST_FIRST, query.limit)).reverse();
    const older = await page({ $or: [beyond(anchor, '$lt'), { _id: anchor._id }] }, NEWEST_FIRST, Math.ceil(query.limit / 2));
    const newer = await page(beyond(anchor, '$gt'), OLDEST_FIRST, Math.floor(query.limit / 2));
    return [...newer.reverse(), ...older];
  };
  return JSON.parse(JSON.stringify({ items: await items() }));
}

describe('channel history pages (the history read model)', () => {
  it('latest, before, after and around pages equal the messages collection’s, edits, deletes, reactions and pins included; a rebuild from 0 gives the same rows', async () => {
    const [owner, bob, outsider] = await Promise.all(['histowner', 'histbob', 'histout'].map((name) => t.api.register(name)));
    const created = await t.api.request('POST', '/v1/revolts', { token: owner!.token, body: { name: 'History' } });
    const revolt = created.body;
    const general = revolt.channels[0] as string;
    expect((await t.api.request('POST', `/v1/invites/${revolt.inviteCode}`, { token: bob!.token })).status).toBe(200);

    const sent: ApiResponse[] = [];
    for (let i = 0; i < 24; i++) {
      const res = await t.api.request('POST', `/v1/channels/${general}/messages`, { token: (i % 3 ? bob : owner)!.token, body: { content: `message ${i} https://example.com/${i}` } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      sent.push(res);
    }
    const ids = sent.map((res) => res.body.id as string);
    const path = (id: string) => `/v1/channels/${general}/messages/${id}`;
    const changes = [
      await t.api.request('PATCH', path(ids[2]!), { token: bob!.token, body: { content: `edited, hi <@${bob!.id}>` } }),
      await t.api.request('DELETE', path(ids[5]!), { token: bob!.token }),
      await t.api.request('DELETE', path(ids[23]!), { token: owner!.token }),
      await t.api.request('PUT', `${path(ids[7]!)}/reactions/${encodeURIComponent('👍')}/@me`, { token: bob!.token }),
      await t.api.request('PUT', `${path(ids[7]!)}/reactions/${encodeURIComponent('👍')}/@me`, { token: owner!.token }),
      await t.api.request('PUT', `/v1/channels/${general}/pins/${ids[9]}`, { token: owner!.token }),
    ];
    for (const change of changes) expect(change.status, JSON.stringify(change.body)).toBeLessThan(300);
    const head = await t.server.services.store.headPosition();
    for (const lane of ['messages', HISTORY_READ_MODEL]) expect(await t.server.engine.waitForPosition(lane, head, 15_000)).toBe(true);

    // The owner's own last write is waited for without X-Min-Position; bob is not the last writer.
    const latest = await t.api.request('GET', `/v1/channels/${general}/messages?limit=5`, { token: owner!.token });
    expect(latest.status).toBe(200);
    expect(latest.body.items.map((m: { id: string }) => m.id)).toEqual([ids[22], ids[21], ids[20], ids[19], ids[18]]);

    let items = 0;
    for (const viewer of [owner!, bob!]) {
      for (const limit of [1, 2, 50]) {
        const queries = [{ limit }, ...ids.flatMap((id) => [{ limit, before: id }, { limit, after: id }, { limit, around: id }])];
        for (const query of queries) {
          const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
          const res = await t.api.request('GET', `/v1/channels/${general}/messages?${search}`, { token: viewer.token, headers: after(...changes) });
          expect(res.status).toBe(200);
          expect(res.body, JSON.stringify(query)).toEqual(await seedPage(general, viewer.id, query));
          items += res.body.items.length;
        }
      }
    }
    expect(items).toBeGreaterThan(1500);

    // One message, from the same read model as its pages: a live one as the collection holds it, a deleted one 404.
    for (const id of [ids[2]!, ids[7]!, ids[9]!]) {
      const one = await t.api.request('GET', path(id), { token: bob!.token });
      expect(one.body).toEqual((await seedPage(general, bob!.id, { limit: 1, around: id })).items[0]);
    }
    expect((await t.api.request('GET', path(ids[5]!), { token: bob!.token })).status).toBe(404);

    // The same refusals as before: a cursor from elsewhere is 400, and who may not read the channel reads no page.
    const other = await t.api.request('POST', '/v1/revolts', { token: owner!.token, body: { name: 'Elsewhere' } });
    const elsewhere = await t.api.request('POST', `/v1/channels/${other.body.channels[0]}/messages`, { token: owner!.token, body: { content: 'x' } });
    const foreign = await t.api.request('GET', `/v1/channels/${general}/messages?before=${elsewhere.body.id}`, { token: owner!.token, headers: after(elsewhere) });
    expect(foreign.status).toBe(400);
    const outside = await t.api.request('GET', `/v1/channels/${general}/messages`, { token: outsider!.token });
    const outsideOne = await t.api.request('GET', path(ids[0]!), { token: outsider!.token });
    expect(outside.status).toBeGreaterThanOrEqual(403);
    expect([outside.status, outside.body.error.code]).toEqual([outsideOne.status, outsideOne.body.error.code]);

    const last = await t.server.services.store.headPosition();
    expect(await t.server.engine.waitForPosition(HISTORY_READ_MODEL, last, 15_000)).toBe(true);
    const rows = await t.server.services.history.rows();
    expect(rows).toHaveLength(25);
    // A row damaged beyond what a replay guarded by position would touch (its pos ahead of every event), and a stray
    // one: the rebuild empties the table first, so both are gone and the rows are the replay's.
    const { config } = t.server.services;
    const { connectionString, schema } = historyLocation(config.HISTORY_URL, config.SEARCH_URL, config.EVENTSTORE_URL);
    const damage = new pg.Client({ connectionString });
    await damage.connect();
    const table = `${pg.escapeIdentifier(schema)}.messages`;
    await damage.query(`update ${table} set doc = '{}'::jsonb, pos = 9000000000000 where id = $1`, [rows[0]!.id]);
    await damage.query(`insert into ${table} (id, channel_id, created_at, deleted, pos, doc) select 'stray', channel_id, created_at, false, 1, doc from ${table} where id = $1`, [rows[1]!.id]);
    await damage.end();
    await t.server.engine.rebuild(HISTORY_READ_MODEL);
    expect(await t.server.services.history.rows()).toEqual(rows);
  });
});
