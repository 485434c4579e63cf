import pg from 'pg';
import { PG_TEST_URL } from './engines.ts';

/**
 * Makes the event store of a test server refuse every append of one event type, the way a failing engine would:
 * a real PostgreSQL error, raised by a trigger in the test's own schema. Returns the function that lifts it.
 */
export async function refuseAppendsOf(eventstoreUrl: string, eventType: string): Promise<() => Promise<void>> {
  const schema = new URL(eventstoreUrl).searchParams.get('schema');
  if (!schema) throw new Error(`no schema in ${eventstoreUrl}`);
  const s = pg.escapeIdentifier(schema);
  const trigger = pg.escapeIdentifier(`refuse_${eventType}`);
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    await client.query(`
      create or replace function ${s}.refuse_append_for_test() returns trigger language plpgsql as $fn$
      begin
        raise exception 'test fault: this store refuses % events', new.type;
      end
      $fn$;
      create trigger ${trigger} before insert on ${s}.events
        for each row when (new.type = ${pg.escapeLiteral(eventType)}) execute function ${s}.refuse_append_for_test();`);
  } finally {
    await client.end();
  }
  return async () => {
    const lift = new pg.Client({ connectionString: PG_TEST_URL });
    await lift.connect();
    await lift.query(`drop trigger if exists ${trigger} on ${s}.events`).finally(() => lift.end());
  };
}
