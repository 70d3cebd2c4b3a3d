import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clusterNodes, redisCluster, redisUrl, singleRedis } from '../utils/engines.js';
import { createClusterKeys } from '../../src/state/cluster/keys.js';
import { freePort, hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { CONNECT, PRESENCE } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';

describe.skipIf(!redisUrl)('when Redis fails', () => {
  const { start, wsClient } = useServers();

  it.each(['redis', 'cluster'] as const)('answers STATE_UNAVAILABLE fast and readiness 503 when Redis cannot be reached (%s)', async (engine) => {
    const seed = `127.0.0.1:${await freePort()}`;
    const server = await start(engine, { redis: engine === 'redis' ? singleRedis(`redis://${seed}`) : redisCluster(seed) });
    const began = Date.now();
    const response = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(codeOf(response)).toBe('STATE_UNAVAILABLE');
    expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i);
    const readiness = await fetch(`${server.base}/readiness`);
    expect([readiness.status, await readiness.json()]).toEqual([503, { status: 'unavailable', engine, redis: 'unreachable' }]);
    const health = await fetch(`${server.base}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok', engine }]);
  });

  it.skipIf(!hasRedisServerBinary())('recovers once Redis comes back, and subscriptions deliver again', async () => {
    const redis = await startRedisServer();
    try {
      const server = await start('redis', { redis: singleRedis(redis.url) });
      const client = wsClient(server);
      await redis.stop();
      const down = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
      expect(codeOf(down)).toBe('STATE_UNAVAILABLE');
      await redis.restart();
      for (let i = 0; i < 100 && (await fetch(`${server.base}/readiness`)).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const events: string[] = [];
      const done = new Promise<void>((resolve) => {
        client.subscribe({ query: PRESENCE, variables: { userIds: ['u1'] } }, {
          next: (r) => {
            events.push((r.data as any)?.presenceChanged?.state);
            resolve();
          },
          error: () => resolve(),
          complete: () => resolve(),
        });
      });
      while (server.app.state.bus.activeSubscriptions() < 1) await new Promise((r) => setTimeout(r, 20));
      const up = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
      expect(up.data?.connectSession.changed).toBe(true);
      await done;
      expect(events).toEqual(['ONLINE']);
    } finally {
      await redis.stop();
    }
  });

  it.each(['redis', ...(clusterNodes ? ['cluster' as const] : [])] as const)('masks unexpected Redis errors as INTERNAL without internals (%s)', async (engine) => {
    const server = await start(engine);
    const raw = engine === 'redis' ? new Redis(redisUrl!) : new Cluster(clusterNodes!.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
    try {
      // A key of the wrong type makes the script fail inside Redis.
      const userKey = engine === 'redis' ? `${server.keyPrefix}user:{u1}` : createClusterKeys(server.keyPrefix).user('u1');
      await raw.set(userKey, 'not a hash');
      const response = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
      expect(response.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL' } });
      expect(JSON.stringify(response)).not.toMatch(/WRONGTYPE|script|lua/i);
    } finally {
      raw.disconnect();
    }
  });
});
