import pg from 'pg';
import type { ReadModel } from '../engine/read-model.ts';
import type { MessageJson } from './document.ts';
import { searchReadModel } from './read-model.ts';
import { newestMatches, type SearchPage } from './plans.ts';
import { migrationSql, type SearchLocation } from './schema.ts';

export type { SearchPage } from './plans.ts';

/** Few connections: searches are a few short index queries, and PostgreSQL's connections are shared by every engine. */
const POOL_SIZE = 4;

/**
 * The message search read model on PostgreSQL full-text search: its lane (`readModel`, checkpointed in
 * `_projections` like every lane) and its queries, newest first as the other revolt-wide message queries answer.
 */
export class MessageSearch {
  readonly readModel: ReadModel;
  private readonly pool: pg.Pool;
  private readonly table: string;

  constructor(readonly location: SearchLocation) {
    this.pool = new pg.Pool({ connectionString: location.connectionString, max: POOL_SIZE });
    // An idle client that loses its connection is dropped by the pool; the next query opens a fresh one.
    this.pool.on('error', () => {});
    this.table = `${pg.escapeIdentifier(location.schema)}.messages`;
    this.readModel = { ...searchReadModel(this.pool, this.table), reset: () => this.truncate() };
  }

  /** Creates the schema, table and indexes if missing; safe to run from several processes at once. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(hashtext($1))', ['search.migrate']);
      await client.query(migrationSql(this.location.schema));
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** The cursor message's place, if it is a message of these channels of the revolt. */
  async anchor(revoltId: string, channelIds: readonly string[], messageId: string): Promise<{ createdAt: Date; id: string } | null> {
    const { rows } = await this.pool.query<{ created_at: Date; id: string }>(
      `select created_at, id from ${this.table} where id = $1 and revolt_id = $2 and channel_id = any($3::text[])`,
      [messageId, revoltId, channelIds],
    );
    const [row] = rows;
    return row ? { createdAt: row.created_at, id: row.id } : null;
  }

  /** The newest messages matching `query` in the given channels (deleted ones never), as stored (see plans.ts). */
  search(page: SearchPage): Promise<MessageJson[]> {
    return newestMatches(this.pool, this.table, page);
  }

  /** Every row in id order (rebuild checks and tests). */
  async rows(): Promise<Array<Record<string, unknown>>> {
    return (await this.pool.query(`select id, revolt_id, channel_id, created_at, pos, words::text as words, doc from ${this.table} order by id`)).rows;
  }

  /** Empties the table: what a rebuild does before it replays from 0 (and benchmarks). */
  async truncate(): Promise<void> {
    await this.pool.query(`truncate ${this.table}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A MessageSearch whose schema is in place. */
export async function openMessageSearch(location: SearchLocation): Promise<MessageSearch> {
  const search = new MessageSearch(location);
  try {
    await search.migrate();
  } catch (error) {
    await search.close();
    throw error;
  }
  return search;
}
