import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { sleep, until } from '../utils/collect.js';
import { hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { CONNECT, PRESENCE } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { clusterNodes, testConfig, uniquePrefix, singleRedis } from '../utils/engines.js';

const HEARTBEAT = 'mutation($n: ID!, $t: Int) { heartbeat(nodeId: $n, ttlSeconds: $t) { resync expiresAt } }';
const SYNC = 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { opened closed unchanged refused } }';
const STATES = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state } }';

const reliability = { ...testConfig().reliability, nodeLeaseSeconds: 2 };

describe.skipIf(!hasRedisServerBinary())('chaos with a private redis-server', () => {
  const { start, wsClient, subscribe } = useServers();

  it(
    'answers fast while Redis is down, and converges through heartbeats and resync once it returns empty',
    { timeout: 60_000 },
    async () => {
      const redis = await startRedisServer();
      try {
        const keyPrefix = uniquePrefix();
        const options = { redis: singleRedis(redis.url), keyPrefix, reliability };
        const a = await start('redis', options, systemClock);
        const b = await start('redis', options, systemClock);
        const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
        const sessions = users.map((userId) => ({ sessionId: `gw1-${userId}`, userId, guildIds: ['g1'] }));

        // A gateway: heartbeats every 500 ms and resends its sessions when asked to.
        let resyncs = 0;
        let gatewayRunning = true;
        const gateway = (async () => {
          while (gatewayRunning) {
            const beat = await gql(a.url, HEARTBEAT, { n: 'gw-1', t: 2 }).catch(() => null);
            if (beat?.data?.heartbeat?.resync) {
              const synced = await gql(a.url, SYNC, { i: { nodeId: 'gw-1', sessions, ttlSeconds: 2 } });
              if (synced.data) resyncs += 1;
            }
            await sleep(500);
          }
        })();
        await until(() => resyncs === 1, 5_000, 'first sync');
        const client = wsClient(b);
        const presence = await subscribe(b, client, PRESENCE, { guildId: 'g1' });
        let socketClosed = false;
        client.on('closed', () => (socketClosed = true));

        // Load: requests keep coming while Redis goes away.
        const latencies: Array<{ ms: number; code: string | undefined }> = [];
        let loadRunning = true;
        const load = Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            while (loadRunning) {
              const began = Date.now();
              const r = await gql(w % 2 ? a.url : b.url, STATES, { u: users.slice(0, 5) });
              latencies.push({ ms: Date.now() - began, code: codeOf(r) });
            }
          }),
        );
        await sleep(300);
        await redis.stop();
        const outageStart = latencies.length;
        await sleep(1_500);
        const duringOutage = latencies.slice(outageStart + 16); // requests already in flight may finish either way
        expect(duringOutage.length).toBeGreaterThan(20);
        expect(duringOutage.every((l) => l.code === 'STATE_UNAVAILABLE')).toBe(true);
        const slowest = Math.max(...duringOutage.map((l) => l.ms));
        expect(slowest).toBeLessThan(1_000);
        console.log(`outage: ${duringOutage.length} requests answered STATE_UNAVAILABLE, slowest ${slowest} ms`);
        for (const server of [a, b]) expect((await fetch(`${server.base}/readiness`)).status).toBe(503);
        expect(socketClosed).toBe(false);

        // Redis returns with nothing: heartbeats see an unknown node and resync.
        await redis.restart();
        loadRunning = false;
        await load;
        await until(() => resyncs === 2, 10_000, 'resync after the restart');
        for (const server of [a, b]) {
          await until(async () => (await fetch(`${server.base}/readiness`)).status === 200, 5_000, 'readiness');
          const read = await gql(server.url, STATES, { u: users });
          expect(read.data?.connectionStates.every((c: { state: string }) => c.state === 'ONLINE')).toBe(true);
        }
        // The subscription on B lived through the outage and sees the resynced users come online.
        const online = new Set<string>();
        await until(() => {
          for (const r of presence.events) if (r.data?.presenceChanged.state === 'ONLINE') online.add(r.data.presenceChanged.userId);
          return online.size === users.length;
        }, 5_000, 'ONLINE events after the resync');
        expect(socketClosed).toBe(false);
        gatewayRunning = false;
        await gateway;
      } finally {
        await redis.stop();
      }
    },
  );

  it('reaps a node that stops heartbeating within twice its lease, with events on another instance', { timeout: 30_000 }, async () => {
    const redis = await startRedisServer();
    try {
      const options = { redis: singleRedis(redis.url), keyPrefix: uniquePrefix(), reliability };
      const a = await start('redis', options, systemClock);
      const b = await start('redis', options, systemClock);
      const events = await subscribe(b, wsClient(b), PRESENCE, { userIds: ['u1', 'u2'] });
      await gql(a.url, HEARTBEAT, { n: 'gw-9', t: 2 });
      await gql(a.url, CONNECT, { input: { sessionId: 'x1', userId: 'u1', nodeId: 'gw-9' } });
      await gql(a.url, CONNECT, { input: { sessionId: 'x2', userId: 'u2', nodeId: 'gw-9' } });
      const lastHeartbeat = Date.now();
      await gql(a.url, HEARTBEAT, { n: 'gw-9', t: 2 });
      await until(() => events.events.filter((r) => r.data?.presenceChanged.state === 'OFFLINE').length === 2, 4_500, 'reap');
      const reapMs = Date.now() - lastHeartbeat;
      console.log(`reap: node with a 2 s lease reaped ${reapMs} ms after its last heartbeat`);
      expect(reapMs).toBeLessThanOrEqual(4_000);
    } finally {
      await redis.stop();
    }
  });
});

describe.skipIf(!clusterNodes)('lapsed nodes on a Redis Cluster', () => {
  const { start, wsClient, subscribe } = useServers();

  it('reaps a node that stops heartbeating within twice its lease, its sessions in every partition, with events on another instance', { timeout: 30_000 }, async () => {
    const options = { keyPrefix: uniquePrefix(), reliability };
    const a = await start('cluster', options, systemClock);
    const b = await start('cluster', options, systemClock);
    // Users of many partitions, so the reaper has to visit several masters.
    const users = Array.from({ length: 12 }, (_, i) => `cu-${i}`);
    const events = await subscribe(b, wsClient(b), PRESENCE, { userIds: users });
    await gql(a.url, HEARTBEAT, { n: 'gw-c', t: 2 });
    for (const [i, userId] of users.entries()) await gql(a.url, CONNECT, { input: { sessionId: `cx${i}`, userId, nodeId: 'gw-c' } });
    const lastHeartbeat = Date.now();
    await gql(a.url, HEARTBEAT, { n: 'gw-c', t: 2 });
    const offline = () => events.events.filter((r) => r.data?.presenceChanged.state === 'OFFLINE').length;
    await until(() => offline() === users.length, 4_500, 'reap');
    const reapMs = Date.now() - lastHeartbeat;
    console.log(`reap on the Cluster: node with a 2 s lease reaped ${reapMs} ms after its last heartbeat`);
    expect(reapMs).toBeLessThanOrEqual(4_000);
    expect((await gql(b.url, STATES, { u: users })).data?.connectionStates.every((c: { state: string }) => c.state === 'OFFLINE')).toBe(true);
    await sleep(200);
    expect(offline()).toBe(users.length);
  });
});

