import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql checks `instanceof` across modules; without this alias vitest can
    // load its ESM and CJS builds side by side ("another module or realm").
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/utils/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites share one private redis-server but use unique key prefixes.
    fileParallelism: true,
    pool: 'forks',
  },
});
