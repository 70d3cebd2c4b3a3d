import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { topics } from '../../src/state/topics.js';
import { hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { createTestState, singleRedis } from '../utils/engines.js';

// The single-Redis scripts run as Redis Functions, loaded once; a Redis without them runs the same scripts as EVALSHA.
describe.skipIf(!hasRedisServerBinary())('scripts as Redis Functions', () => {
  let cleanup: () => unknown = () => {};
  const commandsOf = async (redis: Redis) => {
    const stats = await redis.info('commandstats');
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    return { fcall: calls('fcall'), evalsha: calls('evalsha'), eval: calls('eval'), load: calls('function\\|load') };
  };

  it('loads the library once, calls it with FCALL, and loads it again when Redis lost it', async () => {
    const server = await startRedisServer();
    const raw = new Redis(server.url);
    try {
      const { service, state } = await createTestState('redis', { redis: singleRedis(server.url) });
      cleanup = () => state.close();
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
      await service.connectSession({ sessionId: 's2', userId: 'u2', guildIds: ['g1'] });
      expect(await commandsOf(raw)).toMatchObject({ fcall: 2, evalsha: 0, load: 1 });

      // FUNCTION FLUSH stands for a Redis that restarted empty.
      await raw.call('FUNCTION', 'FLUSH');
      expect((await service.disconnectSession('s1')).changed).toBe(true);
      expect((await service.connectionStates(['u1', 'u2'])).map((c) => c.state)).toEqual(['OFFLINE', 'ONLINE']);
      expect(await commandsOf(raw)).toMatchObject({ evalsha: 0, load: 2 });
    } finally {
      await cleanup();
      raw.disconnect();
      await server.stop();
    }
  });

  it('runs the same scripts as EVALSHA where FUNCTION is not allowed (as on some managed Redis)', async () => {
    const server = await startRedisServer(undefined, ['--rename-command', 'FUNCTION', '']);
    const raw = new Redis(server.url);
    try {
      const { service, bus, state } = await createTestState('redis', { redis: singleRedis(server.url) });
      cleanup = () => state.close();
      const events = await bus.subscribe([topics.presenceUser('u1')]);
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
      await service.disconnectSession('s1');
      expect((await events.next()).value).toMatchObject({ state: 'ONLINE', version: 1 });
      expect((await events.next()).value).toMatchObject({ state: 'OFFLINE', version: 2 });
      await events.return?.();
      const counts = await commandsOf(raw);
      expect(counts.fcall).toBe(0);
      // Each script's first call is EVAL (NOSCRIPT), then EVALSHA.
      expect(counts.eval + counts.evalsha).toBe(2);
    } finally {
      await cleanup();
      raw.disconnect();
      await server.stop();
    }
  });
});
