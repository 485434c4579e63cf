import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEventCatalogue } from '../../../src/catalogue.ts';
import { newId } from '../../../src/events/ids.ts';
import { applyEvents, upcasting, type ProjectionContext } from '../../../src/projections/engine/read-model.ts';
import { openMessageSearch, type MessageSearch, type SearchPage } from '../../../src/projections/search/message-search.ts';
import { migrationSql } from '../../../src/projections/search/schema.ts';
import { PG_TEST_URL } from '../../support/engines.ts';
import { at } from '../support.ts';

// A search walks the newest rows when its words are common and finds every match when they are rare (message-search.ts).
// Whichever way it goes, every page must be the one the plain query gives: every match, newest first, then the limit.
const schema = `t_search_plans_${randomBytes(4).toString('hex')}`;
const table = `${schema}.messages`;
let search: MessageSearch;
let client: pg.Client;

const revolt = newId();
const [readable, alsoReadable, hidden] = [newId(), newId(), newId()];
const channelIds = [readable, alsoReadable];
const ROWS = 4500;

/** Message i of the revolt (0 the oldest): its words, by design each a different way to be found. */
function words(i: number): string[] {
  const found = ['every'];
  if (i % 7 === 0) found.push('often');
  if (i % 90 === 0) found.push('mid');
  if (i % 1000 === 0) found.push('rare');
  // Two matches among the newest readable rows, then none for thousands of rows, then five old ones.
  if ([4497, 4488, 600, 501, 402, 300, 201].includes(i)) found.push('burst');
  if (i % 11 === 0) found.push('alpha beta');
  else if (i % 13 === 0) found.push('beta alpha');
  return found;
}

beforeAll(async () => {
  search = await openMessageSearch({ connectionString: PG_TEST_URL, schema });
  client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const events = [];
  for (let i = 0; i < ROWS + 500; i++) {
    const ours = i < ROWS;
    // Three messages per second: ties on the time are broken by id, the same way on every path.
    if (i % 3 === 0) clock += 1000;
    events.push(
      at(i + 1, 'MessageSent', {
        messageId: newId(), channelId: ours ? [readable, alsoReadable, hidden][i % 3]! : newId(), revoltId: ours ? revolt : newId(), authorId: newId(),
        content: ours ? words(i).join(' ') : 'every rare burst mid', type: 'text', mentions: [], roleMentions: [], channelMentions: [],
        mentionEveryone: false, createdAt: new Date(clock).toISOString(),
      }),
    );
  }
  await applyEvents(upcasting(search.readModel, buildEventCatalogue()), events, {} as ProjectionContext);
});
afterAll(async () => {
  await search?.close();
  await client?.query(`drop schema if exists ${schema} cascade`);
  await client?.end();
});

/** The plain query: every match, sorted, limited (the read model's only query before it had plans). */
async function expected(page: SearchPage): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `select id from ${table}
     where revolt_id = $1 and channel_id = any($2::text[]) and words @@ websearch_to_tsquery('simple', $3) and ($5::timestamptz is null or (created_at, id) < ($5, $6))
     order by created_at desc, id desc limit $4`,
    [page.revoltId, page.channelIds, page.query, page.limit, page.before?.createdAt ?? null, page.before?.id ?? null],
  );
  return rows.map((row) => row.id);
}

/** The ids `search` answers, and the statements it ran: a walk of so many rows, or the matches. */
async function searched(page: SearchPage): Promise<{ ids: string[]; plans: string[] }> {
  const query = vi.spyOn(pg.Pool.prototype, 'query');
  try {
    const ids = (await search.search(page)).map((doc) => doc.id as string);
    const plans = query.mock.calls.map(([statement]) => {
      const { text, values } = statement as unknown as pg.QueryConfig;
      return text.includes('materialized') ? 'matches' : `walk ${values![4]}`;
    });
    return { ids, plans };
  } finally {
    query.mockRestore();
  }
}

/** Up to `pages` pages of `query`, each `before` the last one's oldest message: each must equal the plain query's. */
async function pagesOf(query: string, limit: number, pages: number) {
  const plans: string[][] = [];
  let before: SearchPage['before'];
  for (let n = 0; n < pages; n++) {
    const page = { revoltId: revolt, channelIds, query, limit, before };
    const { ids, plans: used } = await searched(page);
    expect(ids, `${query}, limit ${limit}, page ${n}`).toEqual(await expected(page));
    plans.push(used);
    if (ids.length < limit) break;
    before = (await search.anchor(revolt, channelIds, ids.at(-1)!))!;
  }
  return plans;
}

describe('search plans', () => {
  it('a common word is found by the short walk, a less common one by the long walk, a rare one by its matches', async () => {
    // limit 5: the short walk reads 200 readable rows, the long one 2,000.
    expect((await pagesOf('every', 5, 3))[0]).toEqual(['walk 200']);
    expect((await pagesOf('often', 5, 3))[0]).toEqual(['walk 200']);
    expect((await pagesOf('mid', 5, 3))[0]).toEqual(['walk 200', 'walk 2000']);
    expect((await pagesOf('rare', 5, 3))[0]).toEqual(['walk 200', 'matches']);
    expect((await pagesOf('absent', 5, 3))[0]).toEqual(['walk 200', 'matches']);
    // Found early, then not for 2,000 rows: the long walk comes back short, and the matches answer.
    expect((await pagesOf('burst', 5, 3))[0]).toEqual(['walk 200', 'walk 2000', 'matches']);
  });

  it('a short walk that read every readable row is the answer', async () => {
    // 1,500 rows in the one channel, fewer than the 2,000 the short walk of a page of 50 reads.
    for (const query of ['mid', 'rare', 'absent', 'burst']) {
      const page = { revoltId: revolt, channelIds: [hidden], query, limit: 50 };
      expect(await searched(page), query).toEqual({ ids: await expected(page), plans: ['walk 2000'] });
    }
  });

  it('every query kind pages exactly as the plain query, whichever plan answers each page', async () => {
    const queries = ['every', 'often', 'mid', 'rare', 'burst', 'absent', '"alpha beta"', '"beta alpha"', 'often mid', 'often -mid', '-every', '-often', 'rare or burst', 'mid -often', '"every alpha"'];
    const plans = new Set<string>();
    for (const query of queries) {
      for (const limit of [1, 5, 7, 50]) {
        for (const used of await pagesOf(query, limit, 6)) plans.add(used.join(' → '));
      }
    }
    expect([...plans]).toEqual(
      expect.arrayContaining(['walk 40', 'walk 280 → walk 2800', 'walk 280 → matches', 'walk 2000 → walk 20000', 'walk 200 → walk 2000 → matches']),
    );
  });

  it('a page starting deep in the history, or in channels that are not all readable, is the plain query\'s too', async () => {
    const deep = (await expected({ revoltId: revolt, channelIds, query: 'often', limit: 1, before: undefined }))[0]!;
    const before = (await search.anchor(revolt, channelIds, deep))!;
    for (const query of ['every', 'mid', 'rare', 'burst']) {
      for (const ids of [[readable], [hidden], [readable, hidden]]) {
        const page = { revoltId: revolt, channelIds: ids, query, limit: 10, before };
        expect((await searched(page)).ids, `${query} in ${ids.length} channels`).toEqual(await expected(page));
      }
    }
  });

  it('the migration replaces the newest-first index of earlier versions and may run again', async () => {
    const old = `t_search_old_${randomBytes(4).toString('hex')}`;
    try {
      await client.query(`create schema ${old}; create table ${old}.messages (id text collate "C" primary key, revolt_id text collate "C" not null, channel_id text collate "C" not null,
        created_at timestamptz not null, pos bigint not null, words tsvector, doc jsonb not null);
        create index messages_newest on ${old}.messages (revolt_id, created_at desc, id desc)`);
      await client.query(migrationSql(old));
      await client.query(migrationSql(old));
      const { rows } = await client.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = $1 order by indexname`, [old]);
      expect(rows.map((row) => row.indexname)).toEqual(['messages_newest_words', 'messages_pkey', 'messages_words']);
    } finally {
      await client.query(`drop schema if exists ${old} cascade`);
    }
  });
});
