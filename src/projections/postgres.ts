import type pg from 'pg';

/** Bounded like the event store's schema names. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,55}$/;

/** Where a PostgreSQL-backed read model lives: a database and a schema of its own. */
export interface PostgresLocation {
  connectionString: string;
  schema: string;
}

/**
 * `url` when set (postgres://…?schema=name, `name` by default); otherwise beside a PostgreSQL event store, in its
 * database, schema `<store schema>_<name>` (so every isolated store gets its own), or in the local `revolution`
 * database when the store is not PostgreSQL.
 */
export function postgresLocation(name: string, url: string | undefined, eventStoreUrl: string): PostgresLocation {
  const fromStore = url === undefined && /^postgres(ql)?:/.test(eventStoreUrl);
  const parsed = new URL(url ?? (fromStore ? eventStoreUrl : 'postgres://postgres@127.0.0.1:5432/revolution'));
  const storeSchema = parsed.searchParams.get('schema');
  const schema = fromStore ? `${storeSchema ?? 'public'}_${name}` : (storeSchema ?? name);
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid ${name} schema name ${schema}`);
  for (const param of ['schema', 'role']) parsed.searchParams.delete(param);
  return { connectionString: parsed.toString(), schema };
}

/** Runs a read model's migration `sql` (idempotent DDL) under an advisory lock: safe from several processes at once. */
export async function migrate(pool: pg.Pool, name: string, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${name}.migrate`]);
    await client.query(sql);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
