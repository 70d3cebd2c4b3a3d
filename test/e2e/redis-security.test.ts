import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config.js';
import { collect, until } from '../utils/collect.js';
import { uniquePrefix } from '../utils/engines.js';
import { CONNECT, PRESENCE, STATES } from '../utils/operations.js';
import { startRedisCluster, type RedisCluster } from '../utils/redis-cluster.js';
import { freePort, hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { startSentinel } from '../utils/sentinel.js';
import { useServerProcesses } from '../utils/server-process.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { hasOpenssl, makeCertificate, tlsServerArgs, type TestCertificate } from '../utils/tls.js';

const connect = (url: string, sessionId: string, userId = 'u1') =>
  gql(url, CONNECT, { input: { sessionId, userId, guildIds: ['g1'] } });
const states = (url: string) => gql(url, STATES, { userIds: ['u1'], guildId: 'g1' });

/** u1's ONLINE reaches a graphql-ws subscriber once `trigger` connects u1: the subscriber connections got through too. */
async function deliversPresence(base: string, trigger: () => Promise<unknown>) {
  const client = createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const events = collect(client.iterate({ query: PRESENCE, variables: { userIds: ['u1'] } }));
    // Held once /metrics counts it (the servers may run in processes of their own).
    await until(async () => /^state_server_subscriptions [1-9]/m.test(await (await fetch(`${base}/metrics`)).text()), 10_000, 'the subscription');
    await trigger();
    return (await events.take(1))[0]?.data;
  } finally {
    await client.dispose();
  }
}

// REDIS_PASSWORD and rediss:// in the modes the Cluster brought (single Redis and Sentinel passwords: redis-modes.test.ts).
describe.skipIf(!hasRedisServerBinary())('Redis passwords and TLS on every mode', () => {
  const { start } = useServers();
  const { spawnServer } = useServerProcesses();

  describe('a Cluster with a password', () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3, password: 'cluster-secret' });
    }, 60_000);
    afterAll(() => cluster?.stop());

    it('serves with REDIS_PASSWORD, subscriptions included, and is refused without it', async () => {
      const env = { REDIS_CLUSTER_NODES: cluster.seeds, KEY_PREFIX: uniquePrefix() };
      const server = await start('cluster', { redis: loadConfig({ ...env, REDIS_PASSWORD: 'cluster-secret' }).redis, keyPrefix: env.KEY_PREFIX });
      expect(server.app.state.engine).toBe('cluster');
      const event = await deliversPresence(server.base, () => connect(server.url, 's1'));
      expect(event).toMatchObject({ presenceChanged: { userId: 'u1', state: 'ONLINE' } });
      expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ state: 'ONLINE' });

      const without = await start('cluster', { redis: loadConfig(env).redis });
      const refused = await connect(without.url, 'x1');
      expect(codeOf(refused)).toBe('STATE_UNAVAILABLE');
      expect(JSON.stringify(refused)).not.toMatch(/NOAUTH|secret|127\.0\.0\.1/i);
      expect((await fetch(`${without.base}/readiness`)).status).toBe(503);
    }, 30_000);
  });

  // The servers run as processes of their own: an operator trusts a private CA with NODE_EXTRA_CA_CERTS.
  describe.skipIf(!hasOpenssl())('TLS (rediss://)', () => {
    let cert: TestCertificate;
    beforeAll(() => {
      cert = makeCertificate();
    });
    const tlsEnv = () => ({ NODE_EXTRA_CA_CERTS: cert.certFile, KEY_PREFIX: uniquePrefix() });

    it('serves a single Redis over rediss://, with a password too', async () => {
      const port = await freePort();
      const redis = await startRedisServer(port, [...tlsServerArgs(cert, port), '--requirepass', 'tls-secret'], { tls: cert });
      try {
        const url = `rediss://127.0.0.1:${port}`;
        const server = await spawnServer({ ...tlsEnv(), REDIS_URL: url, REDIS_PASSWORD: 'tls-secret' });
        expect(await deliversPresence(server.base, () => connect(server.url, 's1'))).toMatchObject({ presenceChanged: { state: 'ONLINE' } });
        // Without TLS the same port answers nothing a client could use.
        const plain = await spawnServer({ KEY_PREFIX: uniquePrefix(), REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PASSWORD: 'tls-secret' });
        expect(codeOf(await states(plain.url))).toBe('STATE_UNAVAILABLE');
      } finally {
        await redis.stop();
      }
    }, 60_000);

    it('serves through Sentinel over rediss:// (sentinels and data nodes alike)', async () => {
      const sentinel = await startSentinel('state', { tls: cert });
      try {
        const server = await spawnServer({ ...tlsEnv(), REDIS_SENTINELS: `rediss://${sentinel.sentinels}`, REDIS_SENTINEL_NAME: sentinel.name });
        expect(await deliversPresence(server.base, () => connect(server.url, 's1'))).toMatchObject({ presenceChanged: { state: 'ONLINE' } });
      } finally {
        await sentinel.stop();
      }
    }, 60_000);

    it('serves a Cluster over rediss:// seeds', async () => {
      const cluster = await startRedisCluster({ masters: 3, tls: cert });
      try {
        const seeds = cluster.seeds.split(',').map((s) => `rediss://${s}`).join(',');
        const server = await spawnServer({ ...tlsEnv(), REDIS_CLUSTER_NODES: seeds });
        expect(await deliversPresence(server.base, () => connect(server.url, 's1'))).toMatchObject({ presenceChanged: { state: 'ONLINE' } });
        expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ state: 'ONLINE' });
      } finally {
        await cluster.stop();
      }
    }, 90_000);
  });
});
