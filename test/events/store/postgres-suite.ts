import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { DATABASE_URL, dropStore, ensureDatabase, newStore, randomSchema } from './postgres-support.ts';

/**
 * For a describe: a store in a schema of its own and a client on the test database beside it, migrated and connected
 * before its tests, dropped and closed after them.
 */
export function storeWithClient() {
  const schema = randomSchema();
  const store = newStore(schema);
  const sql = new pg.Client({ connectionString: DATABASE_URL });
  beforeAll(async () => {
    await ensureDatabase();
    await store.migrate();
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await dropStore(store);
  });
  return { store, sql, schema };
}
