import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { pino, type Logger } from 'pino';
import { createBlobStore } from './blobs/index.ts';
import { buildEventCatalogue } from './catalogue.ts';
import { CommandHandler } from './commands/handler.ts';
import type { Config } from './config.ts';
import { createEventStore } from './events/store/index.ts';
import { buildApp } from './api/app.ts';
import { createMetrics } from './http/metrics.ts';
import { createStripeGateway } from './payments/stripe.ts';
import type { Services } from './http/services.ts';
import { ProjectionEngine } from './projections/engine/engine.ts';
import { readModels } from './projections/read-models.ts';
import { createReactorEngine } from './reactors/engine.ts';
import { reactors } from './reactors/reactors.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  engine: ProjectionEngine;
  /** Graceful: stop taking requests, finish in-flight ones, stop projections and reactors, close every connection. */
  close(): Promise<void>;
}

/** Connects the engines, starts the projection and reactor engines and the HTTP API (not yet listening). */
export async function createServer(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  const blobs = createBlobStore(config);
  const store = await createEventStore(config.EVENTSTORE_URL);
  const mongo = await MongoClient.connect(config.MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
  const db = mongo.db();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = createMetrics();
  const catalogue = buildEventCatalogue();
  const commands = new CommandHandler(store, { catalogue, observer: metrics.commandObserver });
  // Read models and reactors follow the store alike, each family on its own lanes.
  const following = { store, db, redis: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX, catalogue, logger, registry: metrics.registry };
  const engine = new ProjectionEngine({ ...following, readModels });
  const reactorEngine = createReactorEngine({ ...following, reactors, commands });
  const runLanes = { runWorkers: config.RUN_PROJECTIONS, runFeeder: config.RUN_PROJECTIONS };
  await engine.start(runLanes);
  await reactorEngine.start(runLanes);
  const services: Services = {
    config,
    logger,
    store,
    catalogue,
    commands,
    db,
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
    async close() {
      await app.close();
      await engine.stop();
      await reactorEngine.stop();
      await Promise.allSettled([store.close(), mongo.close(), redis.quit(), blobs.close()]);
    },
  };
}
