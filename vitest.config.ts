import { defineConfig } from 'vitest/config';

// Integration tests talk to the real engines (scripts/stack.sh): files run in parallel, but at most two
// at a time (this machine has 2 cores, and every file holds connections to PostgreSQL, FerretDB and Redis).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Above the tests' own waits (frames, read-your-writes: 30 s at most), so a stuck wait fails with its own message.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: {
      forks: { minForks: 1, maxForks: 2 },
    },
  },
});
