import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/** Every setting comes from the environment; unset ones default to the local dev stack (scripts/stack.sh). */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  GATEWAY_PORT: port.default(3001),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(postgres(ql)?|(kurrentdb|esdb)(\+discover)?|memory):/, 'a postgres://, kurrentdb://, esdb:// or memory: URL')
    .default('postgres://postgres@127.0.0.1:5432/revolution'),
  MONGODB_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/revolution'),
  REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and BullMQ queue, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().default('rn'),
  STRIPE_SECRET_KEY: z.string().default('sk_test_revolution_dev'),
  STRIPE_API_URL: z.string().url().default('http://127.0.0.1:12111'),
  STRIPE_WEBHOOK_SECRET: z.string().default('whsec_revolution_dev'),
  /** Lifetime of a login token. */
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  /** How long a query sent with X-Min-Position waits for its read model before answering 503. */
  READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  /** Multiplies every rate limit; load tests and benchmarks that act as many users from one address raise it. */
  RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run the projection workers in this process (one process per deployment must). */
  RUN_PROJECTIONS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
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
