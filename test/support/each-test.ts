import { afterEach, beforeEach } from 'vitest';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { PostgresEventStore } from '../../src/events/store/postgres.ts';
import { randomName } from '../projections/engine/helpers.ts';
import { PG_TEST_URL } from './engines.ts';

/**
 * For a describe: `open` before each test, `close` after it. The returned object holds what the running test's
 * `open` gave (its fields are set once a test runs).
 */
export function eachTest<T extends object>(open: () => Promise<T>, close: (opened: T) => Promise<void>): T {
  const current = {} as T;
  beforeEach(async () => {
    Object.assign(current, await open());
  });
  afterEach(() => close(current));
  return current;
}

interface Env {
  cleanup(): Promise<void>;
}

/** For a describe: a fresh environment from `makeEnv` and an empty in-memory store per test; the environment cleaned up after it. */
export const eachWithMemoryStore = <E extends Env>(makeEnv: () => Promise<E>) =>
  eachTest(
    async () => ({ env: await makeEnv(), store: new MemoryEventStore() }),
    ({ env }) => env.cleanup(),
  );

/**
 * For a describe: a fresh environment from `makeEnv` and a migrated PostgreSQL store in a schema of its own per test;
 * after it, the environment cleaned up, then the schema dropped and the store closed.
 */
export const eachWithPostgresStore = <E extends Env>(makeEnv: () => Promise<E>, pollIntervalMs: number, connectionString = PG_TEST_URL) =>
  eachTest(
    async () => {
      const env = await makeEnv();
      const schema = randomName();
      const store = new PostgresEventStore({ connectionString, schema, pollIntervalMs });
      await store.migrate();
      return { env, store, schema };
    },
    async ({ env, store }) => {
      await env.cleanup();
      await store.dropSchema();
      await store.close();
    },
  );
