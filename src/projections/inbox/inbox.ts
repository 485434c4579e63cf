import pg from 'pg';
import type { Notification } from '../../commands/notifications/notification.ts';
import type { ReadModel } from '../engine/read-model.ts';
import { migrate, type PostgresLocation } from '../postgres.ts';
import { INBOX_READ_MODEL, inboxReadModel } from './read-model.ts';
import { migrationSql } from './schema.ts';

/** Few connections: a page is one index range scan, and PostgreSQL's connections are shared by every engine. */
const POOL_SIZE = 4;

/** A notification as its recipient reads it, and when they read it. */
export type InboxNotification = Notification & { readAt?: string };

/** A place in an inbox: pages run newest first by (createdAt, id). */
export interface InboxPlace {
  createdAt: Date;
  id: string;
}

export interface InboxPage {
  userId: string;
  limit: number;
  unreadOnly: boolean;
  /** Only what comes after this place, newest first (the previous page's last). */
  before?: InboxPlace | undefined;
}

/**
 * Each user's notifications as a PostgreSQL read model: its lane (`readModel`, checkpointed in `_projections` like
 * every lane), its pages and unread counts. Why beside the seed's `notifications` collection: on FerretDB 1.x every
 * filter but `_id` equality is a sequential scan with the sort and limit done after it (and even `_id` equality is
 * one), so an inbox page there costs O(all notifications), and an @everyone mention in a revolt of 10,000 members
 * writes 10,000 of them. Here a page is one index range scan, O(log n + page), and the unread count one row by key.
 * See docs/benchmarks.md, "Notification fan-out".
 */
export class Inbox {
  readonly readModel: ReadModel;
  private readonly pool: pg.Pool;
  private readonly notifications: string;
  private readonly unread: string;

  constructor(readonly location: PostgresLocation) {
    this.pool = new pg.Pool({ connectionString: location.connectionString, max: POOL_SIZE });
    // An idle client that loses its connection is dropped by the pool; the next query opens a fresh one.
    this.pool.on('error', () => {});
    const schema = pg.escapeIdentifier(location.schema);
    this.notifications = `${schema}.notifications`;
    this.unread = `${schema}.unread`;
    this.readModel = { ...inboxReadModel(this.pool, { notifications: this.notifications, unread: this.unread }), reset: () => this.truncate() };
  }

  /** Creates the schema, tables and indexes if missing. */
  async migrate(): Promise<void> {
    await migrate(this.pool, INBOX_READ_MODEL, migrationSql(this.location.schema));
  }

  /** Up to `limit` of the user's notifications (only the unread ones if asked), newest first. */
  async page({ userId, limit, unreadOnly, before }: InboxPage): Promise<InboxNotification[]> {
    const params: unknown[] = [userId, limit];
    let after = '';
    if (before) {
      params.push(before.createdAt, before.id);
      after = 'and (created_at, id) < ($3, $4)';
    }
    const { rows } = await this.pool.query<{ doc: InboxNotification }>(
      `select doc from ${this.notifications} where user_id = $1 ${unreadOnly ? 'and not is_read' : ''} ${after} order by created_at desc, id desc limit $2`,
      params,
    );
    return rows.map((row) => row.doc);
  }

  /** One of the user's notifications; null for anyone else's. */
  async notification(userId: string, id: string): Promise<InboxNotification | null> {
    const { rows } = await this.pool.query<{ doc: InboxNotification }>(`select doc from ${this.notifications} where id = $1 and user_id = $2`, [id, userId]);
    return rows[0]?.doc ?? null;
  }

  async unreadCount(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ unread: number }>(`select unread from ${this.unread} where user_id = $1`, [userId]);
    return rows[0]?.unread ?? 0;
  }

  /** Every row of both tables in key order (rebuild checks and tests). */
  async rows(): Promise<{ notifications: Array<Record<string, unknown>>; unread: Array<Record<string, unknown>> }> {
    const [notifications, unread] = await Promise.all([
      this.pool.query(`select id, user_id, created_at, is_read, pos, doc from ${this.notifications} order by id`),
      this.pool.query(`select user_id, unread, pos from ${this.unread} order by user_id`),
    ]);
    return { notifications: notifications.rows, unread: unread.rows };
  }

  /** Empties both tables: what a rebuild does before it replays from 0 (and benchmarks). */
  async truncate(): Promise<void> {
    await this.pool.query(`truncate ${this.notifications}, ${this.unread}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** An Inbox whose schema is in place. */
export async function openInbox(location: PostgresLocation): Promise<Inbox> {
  const inbox = new Inbox(location);
  try {
    await inbox.migrate();
  } catch (error) {
    await inbox.close();
    throw error;
  }
  return inbox;
}
