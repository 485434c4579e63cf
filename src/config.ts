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
  /**
   * The channel history read model's PostgreSQL (postgres://…?schema=name). Unset: beside the search read model when
   * SEARCH_URL is set (schema `history`), else beside a PostgreSQL event store, schema `<its schema>_history`
   * (see src/projections/history/schema.ts).
   */
  HISTORY_URL: z.string().regex(/^postgres(ql)?:/, 'a postgres:// URL').optional(),
  /**
   * The notification inbox read model's PostgreSQL (postgres://…?schema=name). Unset: beside a PostgreSQL event
   * store, schema `<its schema>_inbox` (see src/projections/postgres.ts).
   */
  INBOX_URL: z.string().regex(/^postgres(ql)?:/, 'a postgres:// URL').optional(),
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
  // ── mail and email verification (src/mail, docs/verification.md) ─────────────────────────────────────────────
  /** The web client's address: links in mails point into it (`<PUBLIC_URL>/verify-email?token=…`). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
  /** Send mail through this SMTP server (`smtps://user:pass@host:465`, `smtp://user:pass@host:587`); unset: the outbox. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** The development outbox (used when SMTP_URL is unset): one `.eml` file per mail; defaults to .stack/mail. */
  MAIL_OUTBOX_DIR: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Revolution Network <no-reply@revolution.localhost>'),
  /** Derives the tokens of verification links (only their hashes are stored): set a long random value in production. */
  EMAIL_TOKEN_SECRET: z.string().min(16).default('revolution-dev-email-token-secret'),
  /** Hot read-model documents kept in this process (src/projections/documents): at most this many; 0 turns the cache off. */
  DOCUMENT_CACHE_ENTRIES: z.coerce.number().int().min(0).default(10_000),
  /** ... and at most this many bytes of them (as BSON); a document above a sixteenth of it is not kept. */
  DOCUMENT_CACHE_BYTES: z.coerce.number().int().min(0).default(64 * 1024 * 1024),
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
  /**
   * Proxies in front of the API whose X-Forwarded-For is believed (the client's address keys rate limits): unset, none;
   * a number, that many hops (1 behind docker-compose.yml's proxy); otherwise a comma-separated list of addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'a hop count or a comma-separated list of addresses/CIDRs')
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v.split(',')))
    .optional(),
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

/** Secrets whose defaults exist for the dev stack only: production must set each from its environment. */
const DEV_ONLY_SECRETS = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'EMAIL_TOKEN_SECRET'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  if (parsed.success && parsed.data.NODE_ENV === 'production') {
    for (const name of DEV_ONLY_SECRETS) if (!env[name]) lines.push(`  ${name}: required in production (its default is for the dev stack only)`);
  }
  if (!parsed.success || lines.length > 0) throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  return parsed.data;
}
