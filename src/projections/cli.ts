import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildEventCatalogue } from '../catalogue.ts';
import { loadConfig } from '../config.ts';
import { createEventStore } from '../events/store/index.ts';
import { ProjectionEngine } from './engine/engine.ts';
import { readModels } from './read-models.ts';

const USAGE = `usage: npm run projections -- run            (a projector process: feeder and lane workers, until SIGTERM)
       npm run projections -- status
       npm run projections -- rebuild <read model|all> [--force]
       npm run projections -- resume <read model>
read models: ${readModels.map((m) => m.name).join(', ')}`;

/**
 * Operator's tool for the read models: a projector process of its own (API nodes then run with
 * RUN_PROJECTIONS=false), their lag and state, a rebuild from position 0, a resume after a fix.
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
  const engine = new ProjectionEngine({
    store,
    db: mongo.db(),
    redis: { url: config.REDIS_URL },
    prefix: config.REDIS_PREFIX,
    readModels,
    catalogue: buildEventCatalogue(),
    logger,
    registry: new Registry(),
  });
  try {
    if (command === 'run') {
      await engine.start();
      console.log(`projector running: ${readModels.map((m) => m.name).join(', ')}`);
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    await engine.start({ runWorkers: false, runFeeder: false });
    if (command === 'status') {
      console.table(await engine.status());
    } else if (command === 'rebuild') {
      const names = target === 'all' ? readModels.map((m) => m.name) : [target as string];
      for (const name of names) {
        const result = await engine.rebuild(name, {
          force,
          onProgress: (position, events) => process.stdout.write(`\r${name}: replayed ${events} events (position ${position})`),
        });
        console.log(`\n${name}: rebuilt from ${result.events} events up to position ${result.position} in ${result.durationMs} ms`);
      }
    } else if (command === 'resume') {
      await engine.resume(target as string);
      console.log(`${target}: resumed from its checkpoint`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    await engine.stop();
    await Promise.allSettled([store.close(), mongo.close()]);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
