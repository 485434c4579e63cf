/**
 * An achievements reactor process of its own, for achievements-kill.test.ts: on the PostgreSQL schema, Mongo
 * database and Redis prefix it is given. At its first command it says so and hangs, before (REACTOR_HANG=before) or
 * after (=after) the command's append, and either way before its counters and checkpoint are written, to be killed
 * in that window.
 */
import { MongoClient } from 'mongodb';
import type { Decider } from '../../src/commands/decider.ts';
import { CommandHandler, type CommandContext, type CommandResult, type ExecuteOptions } from '../../src/commands/handler.ts';
import type { NewEvent } from '../../src/events/envelope.ts';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import { MONGO_URL } from '../projections/engine/helpers.ts';
import { achievementsEngine, catalogue } from './achievements-support.ts';

const { REACTOR_PG_URL, REACTOR_SCHEMA, REACTOR_DB, REACTOR_PREFIX, REACTOR_HANG } = process.env;

/** The real handler, stopped for good at its first command, before or after appending it. */
class HangsAtFirstCommand extends CommandHandler {
  override async execute<C, S, E extends NewEvent>(streamId: string, decider: Decider<C, S, E>, command: C, context: CommandContext, options?: ExecuteOptions): Promise<CommandResult<S>> {
    if (REACTOR_HANG === 'after') await super.execute(streamId, decider, command, context, options);
    console.log(`${REACTOR_HANG} ${context.causationId}`);
    return new Promise(() => {});
  }
}

const store = new PostgresEventStore({ connectionString: REACTOR_PG_URL!, schema: REACTOR_SCHEMA, pollIntervalMs: 100 });
const mongo = await MongoClient.connect(MONGO_URL);
const commands = new HangsAtFirstCommand(store, { catalogue });
await achievementsEngine({ store, db: mongo.db(REACTOR_DB), prefix: REACTOR_PREFIX!, commands }).start();
console.log('started');
