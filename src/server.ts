import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { pino, type Logger } from 'pino';
import { createBlobStore } from './blobs/index.ts';
import { CommandHandler } from './commands/handler.ts';
import type { Config } from './config.ts';
import { createEventStore } from './events/store/index.ts';
import { buildApp } from './http/app.ts';
import { createMetrics } from './http/metrics.ts';
import { createStripeGateway } from './payments/stripe.ts';
import type { Services } from './http/services.ts';
import { ProjectionEngine } from './projections/engine/engine.ts';
import { readModels } from './projections/read-models.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  engine: ProjectionEngine;
  /** Graceful: stop taking requests, finish in-flight ones, stop projections, close every connection. */
  close(): Promise<void>;
}

/** Connects the engines, starts the projection engine and the HTTP API (not yet listening). */
export async function createServer(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  const blobs = createBlobStore(config);
  const store = await createEventStore(config.EVENTSTORE_URL);
  const mongo = await MongoClient.connect(config.MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
  const db = mongo.db();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = createMetrics();
  const commands = new CommandHandler(store, { observer: metrics.commandObserver });
  const engine = new ProjectionEngine({
    store,
    db,
    redis: { url: config.REDIS_URL },
    prefix: config.REDIS_PREFIX,
    readModels,
    logger,
    registry: metrics.registry,
  });
  await engine.start({ runWorkers: config.RUN_PROJECTIONS, runFeeder: config.RUN_PROJECTIONS });
  const services: Services = {
    config,
    logger,
    store,
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
      await Promise.allSettled([store.close(), mongo.close(), redis.quit(), blobs.close()]);
    },
  };
}
