import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { pino, type Logger } from 'pino';
import { createBlobStore } from './blobs/index.ts';
import { buildEventCatalogue } from './catalogue.ts';
import { SHIPPED_COURSE_DIR } from './commands/course/folder.ts';
import { importCourseIfNone } from './commands/course/import.ts';
import { CommandHandler } from './commands/handler.ts';
import { featureLookup } from './commands/progress/access.ts';
import type { Config } from './config.ts';
import { createEventStore } from './events/store/index.ts';
import { buildApp } from './api/app.ts';
import { createMetrics } from './http/metrics.ts';
import { createStripeGateway } from './payments/stripe.ts';
import type { Services } from './http/services.ts';
import { createChannelDirectory } from './projections/channels/directory.ts';
import { ProjectionEngine } from './projections/engine/engine.ts';
import { readModels } from './projections/read-models.ts';
import { openMessageSearch } from './projections/search/message-search.ts';
import { searchLocation } from './projections/search/schema.ts';
import { ACHIEVEMENTS_REACTOR } from './reactors/achievements.ts';
import { createReactorEngine } from './reactors/engine.ts';
import { reactors } from './reactors/reactors.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  engine: ProjectionEngine;
  /** The reactors' lanes (src/reactors/reactors.ts). */
  reactors: ProjectionEngine;
  /** Graceful: stop taking requests, finish in-flight ones, stop projections and reactors, close every connection. */
  close(): Promise<void>;
}

/** Connects the engines, starts the projection and reactor engines and the HTTP API (not yet listening). */
export async function createServer(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  const blobs = createBlobStore(config);
  const store = await createEventStore(config.EVENTSTORE_URL);
  const mongo = await MongoClient.connect(config.MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
  const db = mongo.db();
  const search = await openMessageSearch(searchLocation(config.SEARCH_URL, config.EVENTSTORE_URL));
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = createMetrics();
  const catalogue = buildEventCatalogue();
  const commands = new CommandHandler(store, { catalogue, observer: metrics.commandObserver });
  if (config.IMPORT_COURSE) {
    const imported = await importCourseIfNone(commands, SHIPPED_COURSE_DIR);
    if (imported) logger.info({ letters: imported.published.length }, 'imported the shipped course');
  }
  // Read models and reactors follow the store alike, each family on its own lanes.
  const following = { store, db, redis: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX, catalogue, logger, registry: metrics.registry };
  const engine = new ProjectionEngine({ ...following, readModels: [...readModels, search.readModel] });
  const running = reactors.filter((reactor) => config.RUN_ACHIEVEMENTS || reactor.name !== ACHIEVEMENTS_REACTOR);
  const reactorEngine = createReactorEngine({ ...following, reactors: running, commands });
  const runLanes = { runWorkers: config.RUN_PROJECTIONS, runFeeder: config.RUN_PROJECTIONS };
  await engine.start(runLanes);
  await reactorEngine.start(runLanes);
  const services: Services = {
    config,
    logger,
    store,
    catalogue,
    commands,
    features: featureLookup(commands),
    channelDirectory: createChannelDirectory({ db, store, progress: engine, config }),
    db,
    search,
    redis,
    progress: engine,
    metrics,
    blobs,
    stripe: createStripeGateway(config),
    projectionStatus: async () => Object.fromEntries((await engine.status()).map((s) => [s.readModel, s])),
  };
  const app = await buildApp(services);
  return {
    app,
    services,
    engine,
    reactors: reactorEngine,
    async close() {
      await app.close();
      await engine.stop();
      await reactorEngine.stop();
      await Promise.allSettled([store.close(), mongo.close(), search.close(), redis.quit(), blobs.close()]);
    },
  };
}
