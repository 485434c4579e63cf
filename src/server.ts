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
import { createMailer } from './mail/index.ts';
import { createStripeGateway } from './payments/stripe.ts';
import type { Services } from './http/services.ts';
import { createChannelDirectory } from './projections/channels/directory.ts';
import { DocumentCache } from './projections/documents/cache.ts';
import { LaneAdvances } from './projections/documents/lane-advances.ts';
import { ProjectionEngine } from './projections/engine/engine.ts';
import { openChannelHistory } from './projections/history/channel-history.ts';
import { historyLocation } from './projections/history/schema.ts';
import { openInbox } from './projections/inbox/inbox.ts';
import { inboxLocation } from './projections/inbox/schema.ts';
import { readModels } from './projections/read-models.ts';
import { openMessageSearch } from './projections/search/message-search.ts';
import { searchLocation } from './projections/search/schema.ts';
import { ACHIEVEMENTS_REACTOR } from './reactors/achievements.ts';
import { ActivityClock } from './reactors/activity-clock.ts';
import { createReactorEngine } from './reactors/engine.ts';
import { reactors } from './reactors/reactors.ts';
import { configuredVerificationMailReactor } from './reactors/verification-mail.ts';
import { withinDeadline } from './startup/failure.ts';

const ENGINE_DEADLINE_MS = 15_000;

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
  // Each engine gets a deadline: one that accepts connections but answers nothing must not hang the start.
  const store = await withinDeadline(createEventStore(config.EVENTSTORE_URL), ENGINE_DEADLINE_MS, 'the event store (EVENTSTORE_URL)');
  const mongo = await withinDeadline(
    MongoClient.connect(config.MONGODB_URL, { serverSelectionTimeoutMS: 5000 }).then(async (client) => {
      await client.db().command({ ping: 1 }); // a wedged FerretDB completes the handshake, then answers nothing
      return client;
    }),
    ENGINE_DEADLINE_MS,
    'the read-model database (MONGODB_URL)',
  );
  const db = mongo.db();
  const search = await withinDeadline(
    openMessageSearch(searchLocation(config.SEARCH_URL, config.EVENTSTORE_URL)),
    ENGINE_DEADLINE_MS,
    'the search database (SEARCH_URL)',
  );
  const history = await withinDeadline(
    openChannelHistory(historyLocation(config.HISTORY_URL, config.SEARCH_URL, config.EVENTSTORE_URL)),
    ENGINE_DEADLINE_MS,
    'the channel history database (HISTORY_URL)',
  );
  const inbox = await withinDeadline(
    openInbox(inboxLocation(config.INBOX_URL, config.EVENTSTORE_URL)),
    ENGINE_DEADLINE_MS,
    'the notification inbox database (INBOX_URL)',
  );
  // Not auto-pipelined: under load ioredis's auto-pipelining failed commands with "results[i] is not iterable".
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
  const engine = new ProjectionEngine({ ...following, readModels: [...readModels, search.readModel, history.readModel, inbox.readModel] });
  const mailer = createMailer(config, db, logger);
  const running = [...reactors, configuredVerificationMailReactor(config, mailer, logger)].filter((reactor) => config.RUN_ACHIEVEMENTS || reactor.name !== ACHIEVEMENTS_REACTOR);
  const reactorEngine = createReactorEngine({ ...following, reactors: running, commands });
  const runLanes = { runWorkers: config.RUN_PROJECTIONS, runFeeder: config.RUN_PROJECTIONS };
  // Every process hears every lane advance at once: its document cache retires what they may have changed.
  const laneAdvances = await LaneAdvances.start(engine.progress, redis, config.REDIS_URL, config.REDIS_PREFIX, logger);
  const documents = new DocumentCache(engine.progress, { maxEntries: config.DOCUMENT_CACHE_ENTRIES, maxBytes: config.DOCUMENT_CACHE_BYTES });
  await engine.start(runLanes);
  await reactorEngine.start(runLanes);
  // The activity clock moves as time passes (revolts' stats.activeMembers), from the processes that run the lanes.
  const activityClock = new ActivityClock({ redis: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX, commands, logger });
  if (config.RUN_PROJECTIONS) await activityClock.start();
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
    history,
    inbox,
    redis,
    progress: engine,
    documents,
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
      await activityClock.stop();
      await laneAdvances.close();
      await Promise.allSettled([store.close(), mongo.close(), search.close(), history.close(), inbox.close(), redis.quit(), blobs.close(), mailer.close()]);
    },
  };
}
