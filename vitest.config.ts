import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql checks `instanceof` across modules; without this alias vitest can
    // load its ESM and CJS builds side by side ("another module or realm").
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    globalSetup: ['test/utils/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Suites share one private redis-server but use unique key prefixes.
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/reliability/**'], fileParallelism: true },
      },
      {
        extends: true,
        // These time an instance's event loop: they run after the rest, one file at a time, so no other suite shares the cores.
        test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
