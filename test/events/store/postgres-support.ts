import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventToAppend } from '../../../src/events/envelope.ts';
import { PostgresEventStore } from '../../../src/events/store/postgres.ts';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
export const DATABASE_URL = `${SERVER}/revolution_test`;

export async function ensureDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query('create database revolution_test');
  } catch (error) {
    // 42P04: it exists. 23505: another process created it at the same moment.
    if (!(error instanceof pg.DatabaseError && ['42P04', '23505'].includes(error.code ?? ''))) throw error;
  } finally {
    await admin.end();
  }
}

export const randomSchema = () => `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** A store in a schema of its own on the test database, not migrated yet. */
export const newStore = (schema = randomSchema()) => new PostgresEventStore({ connectionString: DATABASE_URL, schema, pollIntervalMs: 200 });

/** Drops the store's schema and closes it. */
export async function dropStore(store: PostgresEventStore): Promise<void> {
  await store.dropSchema();
  await store.close();
}

/** A migrated store in a schema of its own; cleanup drops the schema and closes the store. */
export async function makeStore(schema = randomSchema()) {
  await ensureDatabase();
  const store = newStore(schema);
  await store.migrate();
  return { store, cleanup: () => dropStore(store) };
}

export const event = (type = 'Tested'): EventToAppend => ({
  id: randomUUID(),
  type,
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', actorId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
});
