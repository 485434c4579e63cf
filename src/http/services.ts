import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/port.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { Config } from '../config.ts';
import type { EventStore } from '../events/store/port.ts';
import type { StripeGateway } from '../payments/stripe.ts';
import type { Metrics } from './metrics.ts';

/** How far each read model has got: what read-your-writes waits on. */
export interface ReadModelProgress {
  waitForPosition(readModel: string, position: number, timeoutMs: number): Promise<boolean>;
  /** The position up to which `readModel` has applied every event (its stored checkpoint). */
  checkpoint(readModel: string): Promise<number>;
}

/** Everything routes need, built once by the composition root (src/main.ts). */
export interface Services {
  config: Config;
  logger: Logger;
  store: EventStore;
  commands: CommandHandler;
  db: Db;
  redis: Redis;
  progress: ReadModelProgress;
  metrics: Metrics;
  /** Uploaded files (attachments): a local folder or an S3-compatible bucket (BLOB_STORE). */
  blobs: BlobStore;
  /** Stripe (stripe-mock in dev and tests): payment intents, refunds, webhook verification. */
  stripe: StripeGateway;
  /** Reports each projection lane's checkpoint, lag and state for /health. */
  projectionStatus(): Promise<Record<string, unknown>>;
}
