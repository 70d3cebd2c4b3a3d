import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { loadConfig, type Config, type RedisTarget } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState, type StateRuntime } from '../../src/state/create-state.js';

export const redisUrl = inject('redisUrl');
/** REDIS_CLUSTER_NODES of the suites' private Cluster (test/utils/global-setup.ts), or null. */
export const clusterNodes = inject('redisClusterNodes');

/** A single-Redis target, as REDIS_URL gives it. */
export const singleRedis = (url: string): RedisTarget => ({ mode: 'single', url, password: undefined });

/** A Cluster target, as REDIS_CLUSTER_NODES gives it. */
export const redisCluster = (nodes: string): RedisTarget => ({
  mode: 'cluster',
  nodes: nodes.split(',').map((n) => ({ host: n.slice(0, n.lastIndexOf(':')), port: Number(n.slice(n.lastIndexOf(':') + 1)) })),
  password: undefined,
  tls: false,
});

/** The Redis target of an engine, undefined for memory (or when that Redis is missing). */
export function targetOf(engine: EngineName): RedisTarget | undefined {
  if (engine === 'redis' && redisUrl) return singleRedis(redisUrl);
  if (engine === 'cluster' && clusterNodes) return redisCluster(clusterNodes);
  return undefined;
}

/** A key prefix no other test uses, so suites share one Redis safely. */
export const uniquePrefix = () => `t:${randomUUID().slice(0, 8)}:`;

export type EngineName = 'memory' | 'redis' | 'cluster';

/** The engines a contract suite runs on; Redis and Cluster only when they are there. */
export const engineNames: EngineName[] = ['memory', ...(redisUrl ? (['redis'] as const) : []), ...(clusterNodes ? (['cluster'] as const) : [])];

export function testConfig(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Config {
  return { ...loadConfig({ LOG_LEVEL: 'silent', ...env }), ...overrides };
}

export async function createTestState(engine: EngineName, overrides: Partial<Config> = {}) {
  const clock = manualClock();
  const config = testConfig({
    redis: targetOf(engine),
    keyPrefix: uniquePrefix(),
    ...overrides,
  });
  const state: StateRuntime = await createState(config, clock, silentLogger);
  return { state, service: state.service, bus: state.bus, clock, config };
}
