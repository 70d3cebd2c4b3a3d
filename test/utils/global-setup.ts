import type { TestProject } from 'vitest/node';
import { hasRedisServerBinary, startRedisServer, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the Redis the Redis suites use, or null when there is none. */
    redisUrl: string | null;
  }
}

/**
 * Starts a private redis-server on a free port (binary from PATH); falls back
 * to REDIS_URL. Without either the Redis suites are skipped loudly, and with
 * REQUIRE_REDIS=1 the run fails.
 */
export default async function setup(project: TestProject) {
  let server: RedisServer | null = null;
  let url: string | null = null;
  if (hasRedisServerBinary()) {
    server = await startRedisServer();
    url = server.url;
  } else if (process.env.REDIS_URL) {
    url = process.env.REDIS_URL;
  }
  if (!url) {
    const message = 'NO REDIS: redis-server is not on PATH and REDIS_URL is unset; Redis suites are SKIPPED';
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`${message} (REQUIRE_REDIS=1 makes this a failure)`);
    console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
  } else {
    console.log(`Redis suites use ${url}${server ? ' (private redis-server)' : ' (REDIS_URL)'}`);
  }
  project.provide('redisUrl', url);
  return async () => {
    await server?.stop();
  };
}
