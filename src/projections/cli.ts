import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../catalogue.ts';
import { CommandHandler } from '../commands/handler.ts';
import { loadConfig } from '../config.ts';
import { createEventStore } from '../events/store/index.ts';
import { createMailer } from '../mail/index.ts';
import { createReactorEngine } from '../reactors/engine.ts';
import { reactors } from '../reactors/reactors.ts';
import { configuredVerificationMailReactor, VERIFICATION_MAIL_REACTOR } from '../reactors/verification-mail.ts';
import { ProjectionEngine } from './engine/engine.ts';
import { readModels } from './read-models.ts';
import { openChannelHistory } from './history/channel-history.ts';
import { HISTORY_READ_MODEL } from './history/read-model.ts';
import { historyLocation } from './history/schema.ts';
import { openInbox } from './inbox/inbox.ts';
import { INBOX_READ_MODEL } from './inbox/read-model.ts';
import { inboxLocation } from './inbox/schema.ts';
import { openMessageSearch } from './search/message-search.ts';
import { SEARCH_READ_MODEL } from './search/read-model.ts';
import { searchLocation } from './search/schema.ts';

const USAGE = `usage: npm run projections -- run            (a projector process: feeders and lane workers, until SIGTERM)
       npm run projections -- status
       npm run projections -- rebuild <read model|all> [--force]
       npm run projections -- resume <read model|reactor>
read models: ${[...readModels.map((m) => m.name), SEARCH_READ_MODEL, HISTORY_READ_MODEL, INBOX_READ_MODEL].join(', ')}
reactors: ${[...reactors.map((r) => r.name), VERIFICATION_MAIL_REACTOR].join(', ')}`;

/**
 * Operator's tool for the read models and the reactors: a projector process of its own that runs both (API nodes
 * then run with RUN_PROJECTIONS=false), their lag and state, a rebuild of a read model from position 0, a resume
 * after a fix.
 */
async function main(args: string[]): Promise<number> {
  const [command, target] = args;
  const force = args.includes('--force');
  if (!command || (command !== 'status' && command !== 'run' && !target)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const logger = pino({ level: 'warn' });
  const store = await createEventStore(config.EVENTSTORE_URL);
  const mongo = await MongoClient.connect(config.MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
  const search = await openMessageSearch(searchLocation(config.SEARCH_URL, config.EVENTSTORE_URL));
  const history = await openChannelHistory(historyLocation(config.HISTORY_URL, config.SEARCH_URL, config.EVENTSTORE_URL));
  const inbox = await openInbox(inboxLocation(config.INBOX_URL, config.EVENTSTORE_URL));
  const catalogue = buildEventCatalogue();
  const following = { store, db: mongo.db(), redis: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX, catalogue, logger, registry: new Registry() };
  const lanes = [...readModels, search.readModel, history.readModel, inbox.readModel];
  const engine = new ProjectionEngine({ ...following, readModels: lanes });
  const mailer = createMailer(config, mongo.db(), logger);
  const allReactors = [...reactors, configuredVerificationMailReactor(config, mailer, logger)];
  const reactorEngine = createReactorEngine({ ...following, reactors: allReactors, commands: new CommandHandler(store, { catalogue }) });
  const engines = [engine, reactorEngine];
  try {
    if (command === 'run') {
      for (const each of engines) await each.start();
      console.log(`projector running: ${[...lanes, ...allReactors].map((m) => m.name).join(', ')}`);
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    for (const each of engines) await each.start({ runWorkers: false, runFeeder: false });
    if (command === 'status') {
      for (const each of engines) console.table(await each.status());
    } else if (command === 'rebuild') {
      const names = target === 'all' ? lanes.map((m) => m.name) : [target as string];
      for (const name of names) {
        const result = await engine.rebuild(name, {
          force,
          onProgress: (position, events) => process.stdout.write(`\r${name}: replayed ${events} events (position ${position})`),
        });
        console.log(`\n${name}: rebuilt from ${result.events} events up to position ${result.position} in ${result.durationMs} ms`);
      }
    } else if (command === 'resume') {
      await (allReactors.some((r) => r.name === target) ? reactorEngine : engine).resume(target as string);
      console.log(`${target}: resumed from its checkpoint`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    for (const each of engines) await each.stop();
    await Promise.allSettled([store.close(), mongo.close(), search.close(), history.close(), inbox.close(), mailer.close()]);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
