import pg from 'pg';
import type { ReadModel } from '../engine/read-model.ts';
import { migrate, type PostgresLocation } from '../postgres.ts';
import type { MessageJson } from '../search/document.ts';
import { HISTORY_READ_MODEL, historyReadModel } from './read-model.ts';
import { migrationSql } from './schema.ts';

/** Few connections: a page is one index range scan, and PostgreSQL's connections are shared by every engine. */
const POOL_SIZE = 4;

/** A message's place in its channel's timeline: pages are ordered by (createdAt, id), as `messages` sorts them. */
export interface TimelinePlace {
  createdAt: Date;
  id: string;
}

/**
 * Up to `limit` live messages on one side of `from` (the newest ones without it): `older` newest first, `newer`
 * oldest first; `from` itself only when `inclusive` (and live). A limit of 0 is an empty page.
 */
export interface TimelinePage {
  channelId: string;
  limit: number;
  direction: 'older' | 'newer';
  from?: (TimelinePlace & { inclusive: boolean }) | undefined;
}

/**
 * Channel history as a PostgreSQL read model: its lane (`readModel`, checkpointed in `_projections` like every lane)
 * and its pages. Why not a collection beside `messages`: FerretDB 1.x pushes down only equality filters (no range,
 * sort or limit), and even an `_id` equality is a sequential scan there (its `@>` predicate cannot use the `_id`
 * btree index), so a MongoDB-shaped timeline (buckets keyed by `_id`) still costs O(collection) per page on the dev
 * stack. A btree on (channel_id, created_at, id) makes every page one index range scan: O(log n + page).
 * See docs/benchmarks.md, "Channel history".
 */
export class ChannelHistory {
  readonly readModel: ReadModel;
  private readonly pool: pg.Pool;
  private readonly table: string;

  constructor(readonly location: PostgresLocation) {
    this.pool = new pg.Pool({ connectionString: location.connectionString, max: POOL_SIZE });
    // An idle client that loses its connection is dropped by the pool; the next query opens a fresh one.
    this.pool.on('error', () => {});
    this.table = `${pg.escapeIdentifier(location.schema)}.messages`;
    this.readModel = { ...historyReadModel(this.pool, this.table), reset: () => this.truncate() };
  }

  /** Creates the schema, table and index if missing. */
  async migrate(): Promise<void> {
    await migrate(this.pool, HISTORY_READ_MODEL, migrationSql(this.location.schema));
  }

  /** The place of a message of this channel, deleted ones included (a tombstone still anchors a cursor). */
  async place(channelId: string, messageId: string): Promise<TimelinePlace | null> {
    const { rows } = await this.pool.query<{ created_at: Date; id: string }>(`select created_at, id from ${this.table} where id = $1 and channel_id = $2`, [
      messageId,
      channelId,
    ]);
    const [row] = rows;
    return row ? { createdAt: row.created_at, id: row.id } : null;
  }

  async page({ channelId, limit, direction, from }: TimelinePage): Promise<MessageJson[]> {
    if (limit === 0) return [];
    const [op, order] = direction === 'older' ? ['<', 'desc'] : ['>', 'asc'];
    const params: unknown[] = [channelId, limit];
    let beyond = '';
    if (from) {
      params.push(from.createdAt, from.id);
      beyond = `and (created_at, id) ${op}${from.inclusive ? '=' : ''} ($3, $4)`;
    }
    const { rows } = await this.pool.query<{ doc: MessageJson }>(
      `select doc from ${this.table} where channel_id = $1 and not deleted ${beyond} order by created_at ${order}, id ${order} limit $2`,
      params,
    );
    return rows.map((row) => row.doc);
  }

  /** One live message of this channel, as stored. */
  async message(channelId: string, messageId: string): Promise<MessageJson | null> {
    const { rows } = await this.pool.query<{ doc: MessageJson }>(`select doc from ${this.table} where id = $1 and channel_id = $2 and not deleted`, [messageId, channelId]);
    return rows[0]?.doc ?? null;
  }

  /** Every row in id order (rebuild checks and tests). */
  async rows(): Promise<Array<Record<string, unknown>>> {
    return (await this.pool.query(`select id, channel_id, created_at, deleted, pos, doc from ${this.table} order by id`)).rows;
  }

  /** Empties the table: what a rebuild does before it replays from 0. */
  async truncate(): Promise<void> {
    await this.pool.query(`truncate ${this.table}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A ChannelHistory whose schema is in place. */
export async function openChannelHistory(location: PostgresLocation): Promise<ChannelHistory> {
  const history = new ChannelHistory(location);
  try {
    await history.migrate();
  } catch (error) {
    await history.close();
    throw error;
  }
  return history;
}
