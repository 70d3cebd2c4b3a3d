import type { TestProject } from 'vitest/node';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { hasRedisServerBinary, startRedisServer, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the Redis the Redis suites use, or null when there is none. */
    redisUrl: string | null;
    /** REDIS_CLUSTER_NODES of a private 3-master Redis Cluster, or null when redis-server is not on PATH. */
    redisClusterNodes: string | null;
  }
}

/**
 * Starts a private redis-server and a private 3-master Redis Cluster on free
 * ports (binaries from PATH); for the single Redis it falls back
 * to REDIS_URL. Without either the Redis suites are skipped loudly, and with
 * REQUIRE_REDIS=1 the run fails.
 */
export default async function setup(project: TestProject) {
  let server: RedisServer | null = null;
  let url: string | null = null;
  let cluster: RedisCluster | null = null;
  if (hasRedisServerBinary()) {
    [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster({ masters: 3 })]);
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
  if (!cluster) {
    const message = 'NO REDIS CLUSTER: the Cluster suites start their own from redis-server, which is not on PATH; they are SKIPPED';
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`${message} (REQUIRE_REDIS=1 makes this a failure)`);
    console.warn(message);
  } else {
    console.log(`Cluster suites use ${cluster.seeds} (private 3-master cluster)`);
  }
  project.provide('redisUrl', url);
  project.provide('redisClusterNodes', cluster?.seeds ?? null);
  return async () => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  };
}
