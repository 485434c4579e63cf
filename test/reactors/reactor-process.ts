/**
 * A reactor process of its own, for kill.test.ts: the tally reactor on the PostgreSQL schema, Mongo database and
 * Redis prefix it is given. After its first command's append it says so and hangs, to be killed in that window.
 */
import { MongoClient } from 'mongodb';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import { MONGO_URL } from '../projections/engine/helpers.ts';
import { tallyEngine, tallyReactor } from './support.ts';

const { REACTOR_PG_URL, REACTOR_SCHEMA, REACTOR_DB, REACTOR_PREFIX } = process.env;
const store = new PostgresEventStore({ connectionString: REACTOR_PG_URL!, schema: REACTOR_SCHEMA, pollIntervalMs: 100 });
const mongo = await MongoClient.connect(MONGO_URL);
const reactor = tallyReactor();
reactor.afterAppend = async (event) => {
  console.log(`appended ${event.id}`);
  await new Promise(() => {});
};
await tallyEngine({ store, db: mongo.db(REACTOR_DB), prefix: REACTOR_PREFIX!, reactors: [reactor] }).start();
console.log('started');
