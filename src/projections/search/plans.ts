import type pg from 'pg';
import type { MessageJson } from './document.ts';
import { TEXT_CONFIG } from './schema.ts';

export interface SearchPage {
  revoltId: string;
  /** The channels the caller may read (computed by the permission code); none gives an empty page. */
  channelIds: readonly string[];
  /** Words and "quoted phrases", `or`, `-word` (websearch_to_tsquery): never a syntax error. */
  query: string;
  limit: number;
  /** Strictly older than this message, which must be one of these channels' (deleted ones included). */
  before?: { createdAt: Date; id: string } | undefined;
}

/**
 * How far the walks go, in rows per hit the page wants. The short walk answers common words; when it comes back
 * short, its hits tell how often the query matches: at least once in WALK_ROWS rows (so the long walk will likely
 * fill the page) is walked further; anything rarer is answered by its matches, of which the revolt then holds few.
 */
const PROBE_ROWS = 40;
const WALK_ROWS = 400;

type Cursor = NonNullable<SearchPage['before']>;

/**
 * The page: the newest messages matching the query in the readable channels, as stored. The newest rows are walked
 * while the query matches often; when it matches rarely, the rows older than the short walk's are searched by their
 * matches. A short walk first (the probe), and what it found decides. Each step after the probe searches only the
 * rows older than the probe's, and a step that comes back short is followed by the matches, so every way gives the
 * same page.
 */
export async function newestMatches(pool: pg.Pool, table: string, page: SearchPage): Promise<MessageJson[]> {
  if (page.channelIds.length === 0) return [];
  const probed = await probe(pool, table, page, PROBE_ROWS * page.limit);
  if (probed.hits.length === page.limit || !probed.stoppedAt) return probed.hits;
  const rest = { ...page, limit: page.limit - probed.hits.length, before: probed.stoppedAt };
  if (probed.hits.length * WALK_ROWS >= page.limit * PROBE_ROWS) {
    const walked = await walk(pool, table, rest, WALK_ROWS * page.limit);
    if (walked.length === rest.limit) return [...probed.hits, ...walked];
  }
  return [...probed.hits, ...(await everyMatch(pool, table, rest))];
}

/**
 * The readable rows (older than the cursor, if any), as a condition on parameters $1, $2 and, for the cursor,
 * `$cursor` and the one after it; and the cursor's parameters. Parameters $3 and $4 are the query and the limit.
 */
function readable(page: SearchPage, cursor: number) {
  const older = page.before ? ` and (created_at, id) < ($${cursor}::timestamptz, $${cursor + 1}::text)` : '';
  return { where: `revolt_id = $1 and channel_id = any($2::text[])${older}`, cursorParams: page.before ? [page.before.createdAt, page.before.id] : [] };
}
const matches = `words @@ (select websearch_to_tsquery('${TEXT_CONFIG}', $3))`;

/**
 * Runs a named statement: each connection plans it once, then PostgreSQL reuses the plan (its generic plan: the same
 * index scans whatever the parameters), saving a planning per statement, as long as a short walk. The names stand
 * for one text each, with the pool's own table in it: a pool serves one table.
 */
function run<R extends object>(pool: pg.Pool, name: string, page: SearchPage, text: string, values: unknown[]) {
  return pool.query<R>({ name: page.before ? `${name}_before` : name, text, values });
}

/** The newest `$5` readable rows, newest first: an index-only scan of messages_newest_words, which carries their channel and words. */
const newest = (table: string, where: string) => `select id, created_at, words from ${table} where ${where} order by created_at desc, id desc limit $5`;

/**
 * The matches among the newest `rows` readable rows, stopping at the page: cheap when the query matches often; when
 * it matches rarely, a whole walk for fewer than a page.
 */
async function walk(pool: pg.Pool, table: string, page: SearchPage, rows: number): Promise<MessageJson[]> {
  const { where, cursorParams } = readable(page, 6);
  const { rows: found } = await run<{ doc: MessageJson }>(
    pool,
    'search_walk',
    page,
    `select m.doc from (
       select id, created_at from (${newest(table, where)}) as newest where ${matches} order by created_at desc, id desc limit $4
     ) as hit join ${table} as m using (id) order by hit.created_at desc, hit.id desc`,
    [page.revoltId, page.channelIds, page.query, page.limit, rows, ...cursorParams],
  );
  return found.map((row) => row.doc);
}

/**
 * A walk that also tells where it stopped when it read all `rows` rows and found fewer than a page: the last of
 * them, which the next step goes on from (none when the rows ran out, and the walk's hits are the whole answer).
 * Numbering the rows costs about as much again as walking them, so only the short walk does.
 */
async function probe(pool: pg.Pool, table: string, page: SearchPage, rows: number): Promise<{ hits: MessageJson[]; stoppedAt?: Cursor }> {
  const { where, cursorParams } = readable(page, 6);
  const { rows: walked } = await run<{ doc: MessageJson; hit: boolean; n: string; id: string; created_at: Date }>(
    pool,
    'search_probe',
    page,
    `select m.doc, walked.hit, walked.n, walked.id, walked.created_at from (
       select id, created_at, hit, n from (
         select id, created_at, ${matches} as hit, row_number() over (order by created_at desc, id desc) as n from (${newest(table, where)}) as newest
       ) as numbered
       where hit or n = $5 order by created_at desc, id desc limit $4
     ) as walked join ${table} as m using (id) order by walked.created_at desc, walked.id desc`,
    [page.revoltId, page.channelIds, page.query, page.limit, rows, ...cursorParams],
  );
  const hits = walked.filter((row) => row.hit).map((row) => row.doc);
  const last = walked.at(-1);
  return last && Number(last.n) === rows ? { hits, stoppedAt: { createdAt: last.created_at, id: last.id } } : { hits };
}

/**
 * Every match, then the newest of them: found as PostgreSQL plans it (the GIN index for rare words), all of them
 * (`materialized`: never a newest-first walk, which the planner might pick on the limit alone, and which a walk
 * that came back short has just shown to be long). Cheap when the query matches rarely.
 */
async function everyMatch(pool: pg.Pool, table: string, page: SearchPage): Promise<MessageJson[]> {
  const { where, cursorParams } = readable(page, 5);
  const { rows } = await run<{ doc: MessageJson }>(
    pool,
    'search_matches',
    page,
    `with match as materialized (select id, created_at from ${table} where ${where} and ${matches})
     select m.doc from (select id, created_at from match order by created_at desc, id desc limit $4) as hit
     join ${table} as m using (id) order by hit.created_at desc, hit.id desc`,
    [page.revoltId, page.channelIds, page.query, page.limit, ...cursorParams],
  );
  return rows.map((row) => row.doc);
}
