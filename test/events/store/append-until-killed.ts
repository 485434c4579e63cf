/**
 * Appends without pause from WRITERS concurrent writers (so that groups form) to the store in APPEND_SCHEMA, and prints
 * `acked <event id>…` once each append has resolved, until it is killed. Run by postgres-group-commit.test.ts.
 */
import { PostgresEventStore } from '../../../src/events/store/postgres.ts';
import { DATABASE_URL, event } from './postgres-support.ts';

const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema: process.env.APPEND_SCHEMA! });
const writers = Number(process.env.WRITERS ?? 32);
console.log('started');
await Promise.all(
  Array.from({ length: writers }, async (_, writer) => {
    for (let i = 0; ; i++) {
      const events = Array.from({ length: 1 + (i % 3) }, () => event());
      await store.appendToStream(`killed-${writer}`, events, i === 0 ? 'no_stream' : 'stream_exists');
      process.stdout.write(`acked ${events.map((e) => e.id).join(' ')}\n`);
    }
  }),
);
