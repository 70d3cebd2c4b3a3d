import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { redisCluster, redisUrl, singleRedis } from '../utils/engines.js';
import type { RedisTarget } from '../../src/config.js';
import { startRedisCluster } from '../utils/redis-cluster.js';
import { CONNECT, DISCONNECT, PRESENCE } from '../utils/operations.js';
import { freePort, hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { gql, useServers } from '../utils/server.js';

const PUBLISH = 'mutation ($id: ID) { publishRoomEvent(input: { type: ALERT, roomId: "r1", userId: "u1", alertCount: 1, eventId: $id }) { at } }';
const ROOM_EVENTS = 'subscription { roomEvents(roomId: "r1") { type at } }';

/** A private store of each Redis engine that a test may stall. */
interface StallableStore {
  readonly target: RedisTarget;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const stores = {
  redis: async (): Promise<StallableStore> => {
    const redis = await startRedisServer();
    return { target: singleRedis(redis.url), pause: redis.pause, resume: redis.resume, stop: redis.stop };
  },
  // Every master stalls at once, shorter than the cluster's node timeout, so no failover starts.
  cluster: async (): Promise<StallableStore> => {
    const cluster = await startRedisCluster({ masters: 3 });
    return {
      target: redisCluster(cluster.seeds),
      pause: () => cluster.nodes.forEach((n) => n.pause()),
      resume: () => cluster.nodes.forEach((n) => n.resume()),
      stop: cluster.stop,
    };
  },
};
const unreachable = {
  redis: async () => singleRedis(`redis://127.0.0.1:${await freePort()}`),
  cluster: async () => redisCluster(`127.0.0.1:${await freePort()}`),
};

describe.skipIf(!redisUrl || !hasRedisServerBinary()).each(['redis', 'cluster'] as const)('STATE_UNAVAILABLE tells a refusal from an unknown outcome (%s)', (engine) => {
  const { start, wsClient, subscribe } = useServers();

  it('a request that never reached Redis was not applied', async () => {
    const server = await start(engine, { redis: await unreachable[engine]() });
    const response = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
    expect(response.errors).toEqual([
      {
        message: 'state store is unavailable; the request was not applied; retry it',
        path: ['connectSession'],
        locations: expect.any(Array),
        extensions: { code: 'STATE_UNAVAILABLE', retryable: true, mayHaveBeenApplied: false },
      },
    ]);
  });

  it('a mutation timed out by a Redis stall may have been applied, and a retry converges to one effect', { timeout: 30_000 }, async () => {
    const redis = await stores[engine]();
    try {
      const server = await start(engine, { redis: redis.target, redisCommandTimeoutMs: 200 });
      const presence = await subscribe(server, wsClient(server), PRESENCE, { userIds: ['u1'] });
      const room = await subscribe(server, wsClient(server), ROOM_EVENTS);

      redis.pause();
      const timedOut = await Promise.all([
        gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } }),
        gql(server.url, PUBLISH, { id: 'e1' }),
      ]);
      for (const response of timedOut) {
        expect(response.errors?.[0]?.extensions).toEqual({ code: 'STATE_UNAVAILABLE', retryable: true, mayHaveBeenApplied: true });
        expect(response.errors?.[0]?.message).toMatch(/may have been applied/);
      }
      redis.resume();
      if (engine === 'redis') {
        // The stalled script was in Redis's socket: it ran once Redis woke.
        await until(async () => (await gql(server.url, '{ connectionStates(userIds: ["u1"]) { state } }')).data?.connectionStates[0].state === 'ONLINE', 10_000, 'the stalled connect to apply');
      }
      // On a Cluster the connect's first step ran when the shard woke, and the steps after it never did: the retry
      // finishes it. Either way the retry ends with the session open once.
      const retried = await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
      expect(retried.data?.connectSession).toMatchObject({ connection: { state: 'ONLINE', sessionCount: 1 } });
      expect((await gql(server.url, PUBLISH, { id: 'e1' })).errors).toBeUndefined();
      expect((await gql(server.url, DISCONNECT, { sessionId: 's1' })).data?.disconnectSession.changed).toBe(true);
      expect((await gql(server.url, DISCONNECT, { sessionId: 's1' })).data?.disconnectSession.changed).toBe(false);

      // One effect each: one ONLINE and one OFFLINE, one room event.
      expect((await presence.take(2, 10_000)).map((r) => (r.data as any).presenceChanged.state)).toEqual(['ONLINE', 'OFFLINE']);
      expect(await presence.settle(200)).toHaveLength(2);
      expect(await room.settle(200)).toHaveLength(1);
    } finally {
      await redis.stop();
    }
  });
});
