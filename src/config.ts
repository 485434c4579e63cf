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
