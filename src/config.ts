import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

/** Every setting comes from the environment; unset ones default to the local dev stack (scripts/stack.sh). */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  GATEWAY_PORT: port.default(3001),
  /** Where the realtime gateway (ws://GATEWAY_HOST:GATEWAY_PORT/gateway) listens. */
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(postgres(ql)?|(kurrentdb|esdb)(\+discover)?|memory):/, 'a postgres://, kurrentdb://, esdb:// or memory: URL')
    .default('postgres://postgres@127.0.0.1:5432/revolution'),
  MONGODB_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/revolution'),
  /**
   * The message search read model's PostgreSQL (postgres://…?schema=name). Unset: beside a PostgreSQL event store,
   * schema `<its schema>_search` (see src/projections/search/schema.ts).
   */
  SEARCH_URL: z.string().regex(/^postgres(ql)?:/, 'a postgres:// URL').optional(),
  REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and BullMQ queue, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().default('rn'),
  /** stripe-mock accepts only a "valid looking" test key: sk_test_ followed by letters and digits. */
  STRIPE_SECRET_KEY: z.string().default('sk_test_revolutiondev'),
  STRIPE_API_URL: z.string().url().default('http://127.0.0.1:12111'),
  /** Webhook signing secrets, comma-separated: during a rotation both the old and the new one verify. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).default('whsec_revolution_dev'),
  /** Lifetime of a login token. */
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  /** How long a query sent with X-Min-Position waits for its read model before answering 503. */
  READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  /**
   * How long a command waits for the read models its answer is read from to apply its own events (it answers its
   * resource as the matching query shows it) before answering 503; the command stands either way.
   */
  COMMAND_ANSWER_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * How long a request's claim on its Idempotency-Key holds: a retry within it gets 409 with Retry-After, a retry
   * after it takes the claim over (its first attempt crashed or hangs) and runs again with the same ids.
   */
  IDEMPOTENCY_CLAIM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Multiplies every rate limit; load tests and benchmarks that act as many users from one address raise it. */
  RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve the HTTP API from this process (false for a gateway-only node). */
  RUN_API: flag('true'),
  /** Run a realtime gateway node in this process (src/realtime). */
  RUN_GATEWAY: flag('true'),
  /** Take part in the election of the one gateway publisher that follows the event store into Redis. */
  GATEWAY_PUBLISHER: flag('true'),
  /** The heartbeat interval announced in HELLO; a socket silent for 1.5 intervals (plus slack) is closed as a zombie. */
  GATEWAY_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** A socket that has not sent IDENTIFY or RESUME this long after HELLO is closed (4003). */
  GATEWAY_IDENTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How long a dropped session may still be resumed. */
  GATEWAY_SESSION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** How many recent dispatches per session are remembered to map a RESUME's sequence to a store position. */
  GATEWAY_RESUME_WINDOW: z.coerce.number().int().min(16).max(1_000_000).default(2048),
  /** A RESUME that would have to scan more events than this from the store is refused (INVALID_SESSION). */
  GATEWAY_MAX_REPLAY_EVENTS: z.coerce.number().int().min(100).default(100_000),
  /** A socket with more than this many bytes waiting to be sent is closed with 4010 (resume). */
  GATEWAY_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** A user whose last socket closed goes offline after this long (a quick reconnect shows nothing). */
  GATEWAY_PRESENCE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Run the projection workers in this process (one process per deployment must). */
  RUN_PROJECTIONS: flag('true'),
  /** At start, import the shipped course (course/) when the store has no course yet (tests turn it off). */
  IMPORT_COURSE: flag('true'),
  /**
   * Run the achievements reactor beside the other reactors (with RUN_PROJECTIONS). Tests of other features turn it
   * off: the unlocks it issues are events of their own, appended while those tests count events.
   */
  RUN_ACHIEVEMENTS: flag('true'),
  /** Where uploaded files live: a local folder, or an S3-compatible bucket (then every S3_* below but S3_REGION is required). */
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  /** The local blob folder; defaults to .stack/blobs in the repository. */
  BLOB_DIR: z.string().min(1).optional(),
  /** S3-compatible endpoint (AWS, MinIO, R2, ...), addressed path-style: <S3_ENDPOINT>/<S3_BUCKET>/<key>. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Largest accepted upload; bigger ones are refused with 413. */
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().positive().max(1024 ** 3).default(25 * 1024 * 1024),
  // ── voice media (src/voice/media, src/voice/cluster; see src/voice/README.md) ─────────────────────────────────
  /** Run voice media (mediasoup workers) beside this process's gateway (RUN_GATEWAY) and take part in the voice cluster. */
  RUN_VOICE: flag('true'),
  /** This voice node's id in the cluster; defaults to <hostname>-<pid>. */
  VOICE_NODE_ID: z.string().min(1).max(64).optional(),
  /** mediasoup workers in this process; default: one per core. */
  VOICE_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
  /** IP the WebRtcServers, plain and pipe transports listen on. */
  VOICE_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
  /** Address announced to clients (ICE candidates) and to other voice nodes when VOICE_LISTEN_IP is not reachable as is. */
  VOICE_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  /** First WebRtcServer port: worker i listens on VOICE_RTC_PORT + i (UDP and TCP). 0: ports picked freely. */
  VOICE_RTC_PORT: port.default(40000),
  /** Consumers on one router beyond which a room's new participants go to a router on another worker (piped). */
  VOICE_MAX_CONSUMERS_PER_ROUTER: z.coerce.number().int().min(1).default(500),
  // ── end of voice media ───────────────────────────────────────────────────────────────────────────────────────
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
