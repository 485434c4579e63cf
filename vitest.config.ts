import { defineConfig } from 'vitest/config';

// Integration tests talk to the real engines (scripts/stack.sh): files run in parallel, but at most two
// at a time (this machine has 2 cores, and every file holds connections to PostgreSQL, FerretDB and Redis).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: {
      forks: { minForks: 1, maxForks: 2 },
    },
  },
});
