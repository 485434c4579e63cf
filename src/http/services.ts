import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/port.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { FeatureLookup } from '../commands/progress/access.ts';
import type { ChannelDirectory } from '../commands/revolts/channel-directory.ts';
import type { Config } from '../config.ts';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventStore } from '../events/store/port.ts';
import type { StripeGateway } from '../payments/stripe.ts';
import type { DocumentCache } from '../projections/documents/cache.ts';
import type { ReadModelProgress } from '../projections/engine/progress.ts';
import type { ChannelHistory } from '../projections/history/channel-history.ts';
import type { Inbox } from '../projections/inbox/inbox.ts';
import type { MessageSearch } from '../projections/search/message-search.ts';
import type { Metrics } from './metrics.ts';

/** Everything routes need, built once by the composition root (src/main.ts). */
export interface Services {
  config: Config;
  logger: Logger;
  store: EventStore;
  /** Every event type's schema and version: for whatever reads events outside the command handler and projections. */
  catalogue: EventCatalogue;
  commands: CommandHandler;
  /** The course and a user's completed letters, for commands gated by a feature a letter unlocks. */
  features: FeatureLookup;
  /** The revolt of a channel, for requests that name only the channel. */
  channelDirectory: ChannelDirectory;
  db: Db;
  /** Message search: PostgreSQL full-text search, fed by its own lane. */
  search: MessageSearch;
  /** Channel history pages: a PostgreSQL timeline fed by its own lane. */
  history: ChannelHistory;
  /** Each user's notifications and unread count: a PostgreSQL read model fed by its own lane. */
  inbox: Inbox;
  redis: Redis;
  progress: ReadModelProgress;
  /** Hot read-model documents kept in process, current by position (see cached-reads.ts). */
  documents: DocumentCache;
  metrics: Metrics;
  /** Uploaded files (attachments): a local folder or an S3-compatible bucket (BLOB_STORE). */
  blobs: BlobStore;
  /** Stripe (stripe-mock in dev and tests): payment intents, refunds, webhook verification. */
  stripe: StripeGateway;
  /** Reports each projection lane's checkpoint, lag and state for /health. */
  projectionStatus(): Promise<Record<string, unknown>>;
}
