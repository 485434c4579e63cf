import pg from 'pg';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../envelope.ts';
import { assertNotEmpty, Follower, SubscriptionRegistry } from './follow.ts';
import { GroupCommitter, type Outcome } from './group-commit.ts';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from './port.ts';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Schema holding the events table and the append function; created by migrate(). */
  schema?: string;
  /**
   * The role the store's connections act as (SET ROLE at connect): it may read the events and call the append
   * function, nothing else, so not even the application can edit the log. Created by migrate(), which (like
   * dropSchema()) runs as the connecting user, the owner. Default `<schema>_app`.
   */
  role?: string;
  /** Fallback read interval of subscriptions, in case a notification is lost. */
  pollIntervalMs?: number;
  poolSize?: number;
}

/** Raised by append_events, the single append for SQL callers. */
const WRONG_EXPECTED_REVISION = 'RN409';
const DEPENDENT_OBJECTS_STILL_EXIST = '2BP01';
/** Bounded so that the notification channel name (schema + "_events") stays within PostgreSQL's 63 bytes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,55}$/;
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const COLUMNS = 'position, id, stream_id, revision, type, data, metadata';

/** Positions and revisions are bigint columns; they stay far below 2^53, so they are read as numbers. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

interface Append {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  /** `expected` as append_group takes it (checked when the append is submitted). */
  encodedExpected: number;
}

function toRecorded(row: EventRow): RecordedEvent {
  const { position, id, stream_id: streamId, revision, type, data, metadata } = row;
  return { id, type, data, metadata, streamId, revision, position };
}

/** The append function's encoding of ExpectedRevision. */
function encodeExpected(expected: ExpectedRevision): number {
  if (expected === 'any') return -1;
  if (expected === 'no_stream') return -2;
  if (expected === 'stream_exists') return -3;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`invalid expected revision ${expected}`);
  return expected;
}

/** The application role of a schema when none is configured. */
export function defaultAppRole(schema: string): string {
  return `${schema}_app`;
}

function migrationSql(schema: string, role: string): string {
  const s = pg.escapeIdentifier(schema);
  const r = pg.escapeIdentifier(role);
  return `
    create schema if not exists ${s};

    create table if not exists ${s}.events (
      position bigserial primary key,
      id uuid unique not null,
      stream_id text not null,
      revision bigint not null,
      type text not null,
      data jsonb not null,
      metadata jsonb not null,
      tx_id xid8 not null default pg_current_xact_id(),
      recorded_at timestamptz not null default now(),
      unique (stream_id, revision)
    );

    -- Appends a group of appends in one transaction, in order: append i puts the next p_counts[i] events of the
    -- event arrays on stream p_streams[i] if its expectation p_expected[i] holds (-1 any, -2 no_stream,
    -- -3 stream_exists, >= 0 the exact revision of the stream's last event), checked against the stream as the
    -- group's earlier appends left it. One row per append, in order: the stream's revision before it, and, when
    -- it was appended, its last revision and position (both null when its expectation failed, and only it).
    -- Its cost grows linearly with the group: the arguments are read with unnest, never subscripted inside a
    -- query (which copies a variable-width array to find an element), and no query joins appends to events.
    create or replace function ${s}.append_group(
      p_streams text[], p_expected bigint[], p_counts int[], p_ids uuid[], p_types text[], p_datas jsonb[], p_metas jsonb[]
    ) returns table (actual_revision bigint, last_revision bigint, last_position bigint)
    -- Runs as the owner: the application role may append only through here.
    language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
    declare
      v_stored bigint[];
      v_previous int[];
      v_actual bigint[] := '{}';
      v_last bigint[] := '{}';
      v_event_streams text[];
      v_event_appends int[];
      v_event_ranks int[];
      v_positions bigint[];
      v_done int := 0;
    begin
      -- Appends in this schema take turns, and positions are drawn only once the lock is held. PostgreSQL
      -- releases a transaction's locks after marking it committed in the proc array, so each append is
      -- visible before the next one can draw a position: committed positions become visible in increasing
      -- order, and a reader that has seen position p will never later see a smaller one appear (no gaps
      -- for subscribers to skip). The lock also makes the expected-revision checks below race-free.
      perform pg_advisory_xact_lock(hashtext(${pg.escapeLiteral(`${schema}.events`)}));

      -- Per append: its stream's last revision in the log (-1: none), and the group's previous append to the
      -- same stream (0: none).
      select coalesce(array_agg(coalesce(m.revision, -1) order by a.ord), '{}'), coalesce(array_agg(a.previous order by a.ord), '{}')
      into v_stored, v_previous
      from (
        select x.stream, x.ord, coalesce(lag(x.ord) over (partition by x.stream order by x.ord), 0)::int as previous
        from unnest(p_streams) with ordinality as x(stream, ord)
      ) a
      left join lateral (select max(e.revision) as revision from ${s}.events e where e.stream_id = a.stream) m on true;

      -- In order, each expectation against the stream as the group's earlier appends left it. A failed append
      -- leaves it as it was: v_last[i] = v_actual[i].
      for i in 1 .. coalesce(cardinality(p_streams), 0) loop
        v_actual[i] := case when v_previous[i] = 0 then v_stored[i] else v_last[v_previous[i]] end;
        if (p_expected[i] = -2 and v_actual[i] <> -1)
            or (p_expected[i] = -3 and v_actual[i] = -1)
            or (p_expected[i] >= 0 and p_expected[i] <> v_actual[i]) then
          v_last[i] := v_actual[i];
        else
          v_last[i] := v_actual[i] + p_counts[i];
        end if;
      end loop;

      -- Per event: its append's stream, its append, its rank in the append (1-based).
      select array_agg(u.stream order by u.ord, g.k), array_agg(u.ord::int order by u.ord, g.k), array_agg(g.k order by u.ord, g.k)
      into v_event_streams, v_event_appends, v_event_ranks
      from unnest(p_streams, p_counts) with ordinality as u(stream, count, ord), generate_series(1, u.count) as g(k);

      with inserted as (
        insert into ${s}.events (id, stream_id, revision, type, data, metadata)
        select e.id, e.stream, v_actual[e.append] + e.rank, e.type, e.data, e.metadata
        from unnest(p_ids, p_types, p_datas, p_metas, v_event_streams, v_event_appends, v_event_ranks)
          with ordinality as e(id, type, data, metadata, stream, append, rank, ord)
        where v_last[e.append] > v_actual[e.append]
        order by e.ord
        returning position
      )
      select array_agg(inserted.position order by inserted.position) into v_positions from inserted;

      for i in 1 .. coalesce(cardinality(p_streams), 0) loop
        actual_revision := v_actual[i];
        last_revision := null;
        last_position := null;
        if v_last[i] > v_actual[i] then
          v_done := v_done + p_counts[i];
          last_revision := v_last[i];
          last_position := v_positions[v_done];
        end if;
        return next;
      end loop;

      if v_done > 0 then
        perform pg_notify(${pg.escapeLiteral(channelOf(schema))}, v_positions[v_done]::text);
      end if;
    end
    $fn$;

    -- One append, for SQL callers: raises ${WRONG_EXPECTED_REVISION} (detail: the actual revision) when the expectation fails.
    create or replace function ${s}.append_events(
      p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_datas jsonb[], p_metas jsonb[]
    ) returns table (last_revision bigint, last_position bigint)
    language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
    declare
      v_actual bigint;
    begin
      select g.actual_revision, g.last_revision, g.last_position into v_actual, last_revision, last_position
      from ${s}.append_group(array[p_stream], array[p_expected], array[cardinality(p_ids)], p_ids, p_types, p_datas, p_metas) g;
      if last_position is null then
        raise exception using
          errcode = '${WRONG_EXPECTED_REVISION}',
          message = format('stream %s: expected revision %s, actual %s', p_stream, p_expected, v_actual),
          detail = v_actual::text;
      end if;
      return next;
    end
    $fn$;

    -- The log is append-only for everyone, the owner included (an owner who really must edit it has to disable
    -- this trigger first, which the application role cannot do).
    create or replace function ${s}.reject_event_change() returns trigger language plpgsql as $fn$
    begin
      raise exception using
        errcode = 'RN405',
        message = format('%I.%I is append-only: %s is not allowed', tg_table_schema, tg_table_name, tg_op),
        hint = 'events are immutable; append a correcting event instead';
    end
    $fn$;
    create or replace trigger events_append_only before update or delete or truncate on ${s}.events
      for each statement execute function ${s}.reject_event_change();

    -- Roles are cluster-wide: another database may have created this one (or be creating it right now).
    do $do$
    begin
      create role ${r} nologin;
    exception when duplicate_object or unique_violation then null;
    end
    $do$;
    do $do$
    begin
      if not pg_has_role(current_user, ${pg.escapeLiteral(role)}, 'member') then
        execute format('grant %I to %I', ${pg.escapeLiteral(role)}, current_user);
      end if;
    end
    $do$;
    revoke all on ${s}.events from public;
    grant usage on schema ${s} to ${r};
    grant select on ${s}.events to ${r};
    -- By name, whatever the append functions' signatures.
    do $do$
    declare
      f regprocedure;
    begin
      for f in select p.oid from pg_proc p where p.pronamespace = ${pg.escapeLiteral(schema)}::regnamespace
          and p.proname in ('append_group', 'append_events') loop
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to %I', f, ${pg.escapeLiteral(role)});
      end loop;
    end
    $do$;`;
}

/** The store's connections: as `role`, set at connect so that no query of ours ever runs as the owner. */
function actingAs(connectionString: string, role: string): pg.PoolConfig {
  const url = new URL(connectionString);
  // A URL `options` parameter would replace ours: merge it in.
  const given = url.searchParams.get('options');
  url.searchParams.delete('options');
  return { connectionString: url.toString(), options: [given, `-c role=${role}`].filter(Boolean).join(' ') };
}

function channelOf(schema: string): string {
  return `${schema}_events`;
}

export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly role: string;
  private readonly connection: pg.PoolConfig;
  private readonly table: string;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new SubscriptionRegistry<PostgresSubscription>();
  private readonly appends = new GroupCommitter<Append, AppendResult>((group) => this.commitGroup(group));

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) throw new RangeError(`invalid schema name ${this.schema}`);
    this.role = options.role ?? defaultAppRole(this.schema);
    if (!ROLE_NAME.test(this.role)) throw new RangeError(`invalid role name ${this.role}`);
    this.connection = actingAs(options.connectionString, this.role);
    this.table = `${pg.escapeIdentifier(this.schema)}.events`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pool = new pg.Pool({ ...this.connection, max: options.poolSize ?? 10, types });
    // An idle client that loses its connection is dropped by the pool; the next query opens a fresh one.
    this.pool.on('error', () => {});
  }

  /**
   * Creates the schema, table, append function, append-only trigger and application role; safe to run
   * concurrently and repeatedly.
   */
  async migrate(): Promise<void> {
    await this.asOwner(async (client) => {
      try {
        await client.query('begin');
        await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${this.schema}.migrate`]);
        await client.query(migrationSql(this.schema, this.role));
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    });
  }

  /** Drops the schema and its application role (kept while another database's schema still uses it). */
  async dropSchema(): Promise<void> {
    await this.asOwner(async (client) => {
      await client.query(`drop schema if exists ${pg.escapeIdentifier(this.schema)} cascade`);
      try {
        await client.query(`drop role if exists ${pg.escapeIdentifier(this.role)}`);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError && error.code === DEPENDENT_OBJECTS_STILL_EXIST)) throw error;
      }
    });
  }

  /** Schema changes run on a connection of their own, as the connecting user rather than the application role. */
  private async asOwner(work: (client: pg.Client) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  }

  /**
   * Appends made while another is in flight go together in the next group: one transaction and one round trip
   * for all of them, each with its own expectation (see GroupCommitter and the append_group function).
   */
  async appendToStream(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    assertNotEmpty(events);
    return this.appends.submit({ streamId, events, expected, encodedExpected: encodeExpected(expected) });
  }

  private async commitGroup(group: Append[]): Promise<Outcome<AppendResult>[]> {
    try {
      return await this.appendGroup(group);
    } catch (error) {
      // PostgreSQL refused the group (say, an event id already stored) and rolled it back: each append is tried
      // alone, in order, so that only the offending one fails. Any other error (a lost connection) leaves the
      // group's fate unknown, and is every member's.
      if (!(error instanceof pg.DatabaseError) || group.length === 1) throw error;
      const outcomes: Outcome<AppendResult>[] = [];
      for (const append of group) {
        outcomes.push(await this.appendGroup([append]).then(([outcome]) => outcome!, (alone: unknown) => ({ ok: false, error: alone })));
      }
      return outcomes;
    }
  }

  private async appendGroup(group: Append[]): Promise<Outcome<AppendResult>[]> {
    const events = group.flatMap((append) => append.events);
    const { rows } = await this.pool.query<{ actual_revision: number; last_revision: number | null; last_position: number | null }>(
      `select * from ${pg.escapeIdentifier(this.schema)}.append_group($1, $2, $3, $4, $5, $6, $7)`,
      [
        group.map((append) => append.streamId),
        group.map((append) => append.encodedExpected),
        group.map((append) => append.events.length),
        events.map((e) => e.id),
        events.map((e) => e.type),
        // Serialised here: pg would read a JS array inside `data` as another array dimension.
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    );
    return group.map(({ streamId, expected }, i): Outcome<AppendResult> => {
      const row = rows[i]!;
      if (row.last_revision === null || row.last_position === null) {
        const actual = row.actual_revision === -1 ? 'no_stream' : row.actual_revision;
        return { ok: false, error: new WrongExpectedRevisionError(streamId, expected, actual) };
      }
      return { ok: true, value: { nextExpectedRevision: row.last_revision, position: row.last_position } };
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { direction = 'forwards', fromRevision, maxCount } = options;
    const [bound, order] = direction === 'forwards' ? ['>=', 'asc'] : ['<=', 'desc'];
    const { rows } = await this.pool.query<EventRow>(
      `select ${COLUMNS} from ${this.table}
       where stream_id = $1 and revision ${bound} $2 order by revision ${order} limit $3`,
      [streamId, fromRevision ?? (direction === 'forwards' ? 0 : Number.MAX_SAFE_INTEGER), maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async readEventById(streamId: string, id: string): Promise<RecordedEvent | null> {
    const { rows } = await this.pool.query<EventRow>(`select ${COLUMNS} from ${this.table} where id = $1 and stream_id = $2`, [id, streamId]);
    return rows[0] ? toRecorded(rows[0]) : null;
  }

  async readAll({ after = 0, maxCount = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `select ${COLUMNS} from ${this.table} where position > $1 order by position limit $2`,
      [after, maxCount],
    );
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new PostgresSubscription(
      (after, maxCount) => this.readAll({ after, maxCount }),
      options,
      { connection: this.connection, channel: channelOf(this.schema), pollIntervalMs: this.pollIntervalMs },
    );
    return this.subscriptions.track(subscription);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ head: number }>(`select coalesce(max(position), 0) as head from ${this.table}`);
    return rows[0]!.head;
  }

  async close(): Promise<void> {
    await this.subscriptions.closeAll();
    await this.pool.end();
  }
}

interface ListenOptions {
  connection: pg.ClientConfig;
  channel: string;
  pollIntervalMs: number;
}

/**
 * Reads through the store's pool whenever a dedicated connection LISTENing on the store's channel hears of an
 * append, and every pollIntervalMs in case a notification was missed (e.g. while that connection was down).
 */
class PostgresSubscription {
  private readonly follower: Follower;
  private readonly poll: NodeJS.Timeout;
  private listener: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    read: (after: number, maxCount: number) => Promise<RecordedEvent[]>,
    private readonly options: SubscribeOptions,
    private readonly listen: ListenOptions,
  ) {
    this.follower = new Follower(read, options);
    this.poll = setInterval(() => this.follower.wake(), listen.pollIntervalMs);
    void this.connect();
    this.follower.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.reconnect);
    await this.follower.close();
    await this.listener?.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.listen.connection);
    let dropped = false;
    const drop = (error?: unknown) => {
      if (dropped) return;
      dropped = true;
      if (this.listener === client) this.listener = undefined;
      if (this.closed) return;
      if (error) this.options.onError?.(error);
      client.end().catch(() => {});
      this.reconnect = setTimeout(() => void this.connect(), this.listen.pollIntervalMs);
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', () => this.follower.wake());
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.listen.channel)}`);
    } catch (error) {
      drop(error);
      return;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.listener = client;
    // Appends made while no connection was listening.
    this.follower.wake();
  }
}
