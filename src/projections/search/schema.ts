import pg from 'pg';

/** The text search configuration: no stemming, no stop words, any language's letters lower-cased. */
export const TEXT_CONFIG = 'simple';

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
 * and `pos`, the position of the last event applied to it (every write is guarded by it). The GIN index serves
 * "these words in this revolt" (btree_gin puts the revolt id into it); the btree index serves newest-first scans.
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
    create index if not exists messages_words on ${s}.messages using gin (revolt_id, words);
    create index if not exists messages_newest on ${s}.messages (revolt_id, created_at desc, id desc);
  `;
}
