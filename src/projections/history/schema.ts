import pg from 'pg';
import { postgresLocation, type PostgresLocation } from '../postgres.ts';

/**
 * HISTORY_URL when set; otherwise beside the search read model when SEARCH_URL is set (its database, schema
 * `history`), else beside a PostgreSQL event store (schema `<its schema>_history`; see postgresLocation).
 */
export function historyLocation(historyUrl: string | undefined, searchUrl: string | undefined, eventStoreUrl: string): PostgresLocation {
  if (historyUrl === undefined && searchUrl !== undefined) {
    const besideSearch = new URL(searchUrl);
    besideSearch.searchParams.set('schema', 'history');
    return postgresLocation('history', besideSearch.toString(), eventStoreUrl);
  }
  return postgresLocation('history', historyUrl, eventStoreUrl);
}

/**
 * One row per message, as the `messages` read model holds it: its document as routes show it (ids and dates as JSON
 * strings), `deleted` (a tombstone: never on a page, still a cursor, as in `messages`), and `pos`, the position of
 * the last event applied to it (every write is guarded by it). The partial btree index is the channel's timeline in
 * page order, (createdAt, id) as `messages` sorts: a page is one index range scan of `limit` rows, whatever the
 * size of the channel or of the table.
 */
export function migrationSql(schema: string): string {
  const s = pg.escapeIdentifier(schema);
  return `
    create schema if not exists ${s};
    create table if not exists ${s}.messages (
      id text collate "C" primary key,
      channel_id text collate "C" not null,
      created_at timestamptz not null,
      deleted boolean not null,
      pos bigint not null,
      doc jsonb not null
    );
    create index if not exists messages_timeline on ${s}.messages (channel_id, created_at, id) where not deleted;
  `;
}
