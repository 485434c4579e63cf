import pg from 'pg';

/** The text search configuration: no stemming, no stop words, any language's letters lower-cased. */
export const TEXT_CONFIG = 'simple';

/** The GIN index's pending list (PostgreSQL's default is 4 MB, about 6 ms of scanning per search when full). */
const PENDING_LIST_KB = 256;
/** Inserts between autovacuums of the table (PostgreSQL's default waits for a fifth of the table). */
const VACUUM_EVERY_INSERTS = 5000;

/** Bounded like the event store's schema names. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,55}$/;

/** Where the search read model lives: a PostgreSQL database and a schema of its own. */
export interface SearchLocation {
  connectionString: string;
  schema: string;
}

/**
 * `SEARCH_URL` when set (postgres://…?schema=name, `search` by default); otherwise beside a PostgreSQL event store,
 * in its database, schema `<store schema>_search` (so every isolated store gets its own search), or in the local
 * `revolution` database when the store is not PostgreSQL.
 */
export function searchLocation(searchUrl: string | undefined, eventStoreUrl: string): SearchLocation {
  const fromStore = searchUrl === undefined && /^postgres(ql)?:/.test(eventStoreUrl);
  const url = new URL(searchUrl ?? (fromStore ? eventStoreUrl : 'postgres://postgres@127.0.0.1:5432/revolution'));
  const storeSchema = url.searchParams.get('schema');
  const schema = fromStore ? `${storeSchema ?? 'public'}_search` : (storeSchema ?? 'search');
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid search schema name ${schema}`);
  for (const param of ['schema', 'role']) url.searchParams.delete(param);
  return { connectionString: url.toString(), schema };
}

/**
 * One row per message of a live channel: its document as routes show it (ids and dates as JSON strings), its
 * words (null once deleted: a tombstone that still anchors a `before` cursor, as the messages read model does),
 * and `pos`, the position of the last event applied to it (every write is guarded by it).
 *
 * Two indexes, one per way a search is answered (plans.ts): the GIN index finds every row with these
 * words in this revolt (btree_gin puts the revolt id into it), for words too rare to walk to; its pending list is
 * kept small because every search scans it whole. The btree walks a revolt's rows newest first and carries the
 * channel and the words, so the walk tests each row without visiting the table (an index-only scan); autovacuum
 * runs every few thousand inserts to keep the new rows' pages marked all-visible, which that scan needs.
 */
export function migrationSql(schema: string): string {
  const s = pg.escapeIdentifier(schema);
  return `
    create extension if not exists btree_gin;
    create schema if not exists ${s};
    create table if not exists ${s}.messages (
      id text collate "C" primary key,
      revolt_id text collate "C" not null,
      channel_id text collate "C" not null,
      created_at timestamptz not null,
      pos bigint not null,
      words tsvector,
      doc jsonb not null
    );
    alter table ${s}.messages set (autovacuum_vacuum_insert_threshold = ${VACUUM_EVERY_INSERTS}, autovacuum_vacuum_insert_scale_factor = 0);
    create index if not exists messages_words on ${s}.messages using gin (revolt_id, words);
    alter index ${s}.messages_words set (gin_pending_list_limit = ${PENDING_LIST_KB});
    drop index if exists ${s}.messages_newest;
    create index if not exists messages_newest_words on ${s}.messages (revolt_id, created_at desc, id desc) include (channel_id, words);
  `;
}
