import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) side by side; Node (and so Apollo) loads the
    // CommonJS one, Vite would pick the ESM one: two instances, which graphql refuses. Use Node's.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file gets its own database (test/support/database.ts); files still share two
    // CPU cores with worker processes they spawn, so at most two run at once.
    maxWorkers: 2,
    minWorkers: 1,
    // Generous: CI machines are shared; a slow run must not fail where a fast one passes.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
