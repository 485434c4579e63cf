import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/envelope.ts';
import { createEventStore } from '../../../src/events/store/index.ts';
import type { PostgresEventStore } from '../../../src/events/store/postgres.ts';
import { eventStoreContract } from './contract.ts';
import { DATABASE_URL, event, makeStore, randomSchema } from './postgres-support.ts';
import { storeWithClient } from './postgres-suite.ts';

eventStoreContract('postgres', () => makeStore());

describe('postgres event store', () => {
  const { store, sql, schema } = storeWithClient();

  it('migrates idempotently', async () => {
    await store.appendToStream('kept', [event()], 'no_stream');
    await Promise.all([store.migrate(), store.migrate()]);
    expect(await store.readStream('kept')).toHaveLength(1);
  });

  it('is created from a URL, with the schema as a query parameter', async () => {
    const other = randomSchema();
    const created = await createEventStore(`${DATABASE_URL}?schema=${other}`);
    try {
      await created.appendToStream('s', [event()], 'no_stream');
      const { rows } = await sql.query(`select count(*)::int as n from ${other}.events`);
      expect(rows[0].n).toBe(1);
    } finally {
      await (created as PostgresEventStore).dropSchema();
      await created.close();
    }
  });

  it('makes a later append wait until an earlier one commits, so positions appear in order', async () => {
    const head = await store.headPosition();
    const slow = new pg.Client({ connectionString: DATABASE_URL });
    await slow.connect();
    try {
      await slow.query('begin');
      await slow.query(
        `select * from ${schema}.append_events('slow', -1, array[$1::uuid], array['Slow'], array['{}'::jsonb], array['{}'::jsonb])`,
        [randomUUID()],
      );
      let fastDone = false;
      const fast = store.appendToStream('fast', [event()], 'any').then((result) => {
        fastDone = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(fastDone).toBe(false);
      expect(await store.readAll({ after: head })).toEqual([]);

      await slow.query('commit');
      const { position } = await fast;
      expect((await store.readAll({ after: head })).map((e) => e.streamId)).toEqual(['slow', 'fast']);
      expect(position).toBe(await store.headPosition());
    } finally {
      await slow.end();
    }
  });

  describe('the log is append-only', () => {
    /** The pool the store itself queries through: the application's own connection. */
    const appConnection = () => (store as unknown as { pool: pg.Pool }).pool;
    const PERMISSION_DENIED = { code: '42501' };

    it("refuses UPDATE, DELETE, TRUNCATE and a direct INSERT on the application's connection, while the append works", async () => {
      const { rows } = await appConnection().query('select current_user as role');
      expect(rows[0].role).toBe(`${schema}_app`);
      const kept = event();
      await store.appendToStream('immutable', [kept], 'no_stream');

      for (const statement of [
        `update ${schema}.events set type = 'Edited' where stream_id = 'immutable'`,
        `delete from ${schema}.events where stream_id = 'immutable'`,
        `truncate ${schema}.events`,
        `insert into ${schema}.events (id, stream_id, revision, type, data, metadata) values (gen_random_uuid(), 'immutable', 1, 'Forged', '{}', '{}')`,
        `alter table ${schema}.events disable trigger events_append_only`,
      ]) {
        await expect(appConnection().query(statement), statement).rejects.toMatchObject(PERMISSION_DENIED);
      }
      // Even with the trigger gone (only the owner can drop it), the application's role may not edit the log.
      await sql.query(`drop trigger events_append_only on ${schema}.events`);
      try {
        await expect(appConnection().query(`update ${schema}.events set type = 'Edited'`)).rejects.toMatchObject(PERMISSION_DENIED);
        await expect(appConnection().query(`delete from ${schema}.events`)).rejects.toMatchObject(PERMISSION_DENIED);
      } finally {
        await store.migrate();
      }

      const appended = await store.appendToStream('immutable', [event()], 0);
      expect(appended.nextExpectedRevision).toBe(1);
      expect((await store.readStream('immutable')).map((e) => [e.id, e.type])).toEqual([
        [kept.id, 'Tested'],
        [expect.any(String), 'Tested'],
      ]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE even from the owner, naming the table', async () => {
      await store.appendToStream('owned', [event()], 'no_stream');
      for (const [statement, op] of [
        [`update ${schema}.events set type = 'Edited' where stream_id = 'owned'`, 'UPDATE'],
        [`delete from ${schema}.events where stream_id = 'owned'`, 'DELETE'],
        [`truncate ${schema}.events`, 'TRUNCATE'],
      ] as const) {
        await expect(sql.query(statement), statement).rejects.toMatchObject({
          code: 'RN405',
          message: `${schema}.events is append-only: ${op} is not allowed`,
        });
      }
      expect((await store.readStream('owned')).map((e) => e.type)).toEqual(['Tested']);
    });

    it('drops the application role with the schema', async () => {
      const role = async (name: string) => (await sql.query('select 1 from pg_roles where rolname = $1', [name])).rowCount;
      const other = randomSchema();
      const { cleanup: dropOther } = await makeStore(other);
      expect(await role(`${other}_app`)).toBe(1);
      await dropOther();
      expect(await role(`${other}_app`)).toBe(0);
    });
  });

  it('keeps a subscription going when its LISTEN connection is killed', async () => {
    const received: RecordedEvent[] = [];
    const errors: unknown[] = [];
    const subscription = store.subscribeToAll({
      after: await store.headPosition(),
      onEvents: async (events) => void received.push(...events),
      onError: (error) => errors.push(error),
    });
    const listening = `listen "${schema}_events"`;
    const listeners = async () =>
      (await sql.query('select pid from pg_stat_activity where query = $1', [listening])).rows.map((r) => r.pid as number);
    await waitFor(async () => (await listeners()).length === 1);
    const [killed] = await listeners();

    await sql.query('select pg_terminate_backend($1)', [killed]);
    await waitFor(async () => errors.length > 0);
    await waitFor(async () => (await listeners()).some((pid) => pid !== killed));
    await store.appendToStream('after-reconnect', [event()], 'no_stream');
    await waitFor(async () => received.some((e) => e.streamId === 'after-reconnect'));
    await subscription.close();
  }, 20_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
