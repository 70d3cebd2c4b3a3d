import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { loadConfig, type Config, type RedisTarget } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState, type StateRuntime } from '../../src/state/create-state.js';

export const redisUrl = inject('redisUrl');

/** A single-Redis target, as REDIS_URL gives it. */
export const singleRedis = (url: string): RedisTarget => ({ mode: 'single', url, password: undefined });

/** A key prefix no other test uses, so suites share one Redis safely. */
export const uniquePrefix = () => `t:${randomUUID().slice(0, 8)}:`;

export type EngineName = 'memory' | 'redis';

/** The engines a contract suite runs on; Redis only when a Redis is there. */
export const engineNames: EngineName[] = redisUrl ? ['memory', 'redis'] : ['memory'];

export function testConfig(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Config {
  return { ...loadConfig({ LOG_LEVEL: 'silent', ...env }), ...overrides };
}

export async function createTestState(engine: EngineName, overrides: Partial<Config> = {}) {
  const clock = manualClock();
  const config = testConfig({
    redis: engine === 'redis' && redisUrl ? singleRedis(redisUrl) : undefined,
    keyPrefix: uniquePrefix(),
    ...overrides,
  });
  const state: StateRuntime = await createState(config, clock, silentLogger);
  return { state, service: state.service, bus: state.bus, clock, config };
}
