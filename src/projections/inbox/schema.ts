import pg from 'pg';
import { postgresLocation, type PostgresLocation } from '../postgres.ts';
import { INBOX_READ_MODEL } from './read-model.ts';

/** INBOX_URL when set; otherwise beside a PostgreSQL event store, schema `<its schema>_inbox` (see postgresLocation). */
export const inboxLocation = (inboxUrl: string | undefined, eventStoreUrl: string): PostgresLocation => postgresLocation(INBOX_READ_MODEL, inboxUrl, eventStoreUrl);

/**
 * `notifications`: one row per recipient's notification, its document as routes show it (ids as hex, times as ISO
 * strings) with `is_read` beside it, and `pos`, the position of the last event applied to it (every update is guarded
 * by it). The btree on (user_id, created_at desc, id desc) is each user's inbox in page order, newest first, and its
 * partial twin the unread ones: a page is one index range scan of `limit` rows, whatever the size of the inbox or of
 * the table. `unread`: each user's unread count, one row by primary key.
 */
export function migrationSql(schema: string): string {
  const s = pg.escapeIdentifier(schema);
  return `
    create schema if not exists ${s};
    create table if not exists ${s}.notifications (
      id text collate "C" primary key,
      user_id text collate "C" not null,
      created_at timestamptz not null,
      is_read boolean not null,
      pos bigint not null,
      doc jsonb not null
    );
    create index if not exists notifications_inbox on ${s}.notifications (user_id, created_at desc, id desc);
    create index if not exists notifications_unread on ${s}.notifications (user_id, created_at desc, id desc) where not is_read;
    create table if not exists ${s}.unread (
      user_id text collate "C" primary key,
      unread integer not null,
      pos bigint not null
    );
  `;
}
