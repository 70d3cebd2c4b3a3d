import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { startSentinel } from '../utils/sentinel.js';
import { CONNECT, STATES } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { uniquePrefix } from '../utils/engines.js';

// Each mode from its variables, through a real server and real redis-server processes.
describe.skipIf(!hasRedisServerBinary())('Redis deployment modes', () => {
  const { start } = useServers();
  const states = (url: string) => gql(url, STATES, { userIds: ['u1'], guildId: 'g1' });

  it('authenticates with REDIS_PASSWORD on a single Redis, and is refused without it', async () => {
    const redis = await startRedisServer(undefined, ['--requirepass', 'secret-pass']);
    try {
      const withPassword = loadConfig({ REDIS_URL: redis.url, REDIS_PASSWORD: 'secret-pass', KEY_PREFIX: uniquePrefix() });
      const server = await start('redis', { redis: withPassword.redis, redisUrl: withPassword.redisUrl });
      await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
      expect((await states(server.url)).data?.connectionStates).toEqual([expect.objectContaining({ userId: 'u1', state: 'ONLINE' })]);

      const without = await start('redis', { redis: loadConfig({ REDIS_URL: redis.url }).redis, redisUrl: redis.url });
      expect(codeOf(await states(without.url))).toBe('STATE_UNAVAILABLE');
    } finally {
      await redis.stop();
    }
  });

  it('follows the master the sentinels name, also after a failover', async () => {
    const sentinel = await startSentinel();
    try {
      const config = loadConfig({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name });
      const server = await start('redis', { redis: config.redis, redisUrl: undefined });
      expect(server.app.state.engine).toBe('redis');
      await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
      expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ state: 'ONLINE', sessionCount: 1 });

      const began = Date.now();
      expect(await sentinel.failover()).toBe(sentinel.replica.port);
      // During the switch requests fail as STATE_UNAVAILABLE (never INTERNAL); then the new master answers.
      let answer = await states(server.url);
      while (answer.errors && Date.now() - began < 20_000) {
        expect(codeOf(answer)).toBe('STATE_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 100));
        answer = await states(server.url);
      }
      expect(answer.data?.connectionStates[0]).toMatchObject({ state: 'ONLINE', sessionCount: 1 });
      const write = await gql(server.url, CONNECT, { input: { sessionId: 's2', userId: 'u1', guildIds: ['g1'] } });
      expect(write.errors).toBeUndefined();
      expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ sessionCount: 2 });
    } finally {
      await sentinel.stop();
    }
  }, 60_000);
});
