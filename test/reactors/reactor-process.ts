/**
 * A reactor process of its own, for kill.test.ts, on the PostgreSQL schema, Mongo database and Redis prefix it is
 * given: the tally reactor (REACTOR_KIND unset) or the voice-access one (`voice-access`). After its first command's
 * append it says so and hangs, to be killed in that window.
 */
import { MongoClient } from 'mongodb';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import type { Issue, Reactor } from '../../src/reactors/reactor.ts';
import { voiceAccessReactor } from '../../src/reactors/voice-access.ts';
import { MONGO_URL } from '../projections/engine/helpers.ts';
import { tallyEngine, tallyReactor } from './support.ts';

const { REACTOR_PG_URL, REACTOR_SCHEMA, REACTOR_DB, REACTOR_PREFIX, REACTOR_KIND } = process.env;
const store = new PostgresEventStore({ connectionString: REACTOR_PG_URL!, schema: REACTOR_SCHEMA, pollIntervalMs: 100 });
const mongo = await MongoClient.connect(MONGO_URL);
const where = { store, db: mongo.db(REACTOR_DB), prefix: REACTOR_PREFIX! };

const hang = () => new Promise<never>(() => {});

/** `reactor`, stopping for good right after the first command it issues for an event. */
function hangingAfterItsFirstCommand(reactor: Reactor): Reactor {
  return {
    ...reactor,
    react(event, issue, load) {
      const first: Issue = async (streamId, decider, command) => {
        await issue(streamId, decider, command);
        console.log(`appended ${event.id}`);
        return hang();
      };
      return reactor.react(event, first, load);
    },
  };
}

if (REACTOR_KIND === 'voice-access') {
  const catalogue = buildEventCatalogue();
  await tallyEngine({ ...where, catalogue, commands: new CommandHandler(store, { catalogue }), reactors: [hangingAfterItsFirstCommand(voiceAccessReactor)] }).start();
} else {
  const reactor = tallyReactor();
  reactor.afterAppend = async (event) => {
    console.log(`appended ${event.id}`);
    await hang();
  };
  await tallyEngine({ ...where, reactors: [reactor] }).start();
}
console.log('started');
