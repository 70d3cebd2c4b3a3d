import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import type { RedisTarget } from '../../src/config.js';
import { StateError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createState, type StateRuntime } from '../../src/state/create-state.js';
import { until } from '../utils/collect.js';
import { redisCluster, singleRedis, testConfig, uniquePrefix } from '../utils/engines.js';
import { startRedisCluster, type RedisCluster } from '../utils/redis-cluster.js';
import { hasRedisServerBinary, startRedisServer, type RedisServer } from '../utils/redis-server.js';

const WAIT_MS = 200;
const connect = (i: number) => ({ sessionId: `ack-s${i}`, userId: `ack-u${i}`, guildIds: ['ack-g'] });
const waitCalls = async (node: Redis) => Number(/cmdstat_wait:calls=(\d+)/.exec(await node.info('commandstats'))?.[1] ?? 0);

/** Masters and their replicas, as a test reaches and stalls them, for each Redis engine. */
interface Replicated {
  target: RedisTarget;
  /** Direct clients of every master. */
  masters: Redis[];
  /** Every replica, stallable. */
  replicas: Array<{ pause(): void; resume(): void }>;
  stop(): Promise<void>;
}

const setups: Record<'redis' | 'cluster', () => Promise<Replicated>> = {
  redis: async () => {
    const master = await startRedisServer();
    const replica: RedisServer = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(master.port)]);
    const [m, r] = [new Redis(master.url), new Redis(replica.url)];
    await until(async () => /master_link_status:up/.test(await r.info('replication')), 10_000, 'the replica to sync');
    r.disconnect();
    return {
      target: singleRedis(master.url),
      masters: [m],
      replicas: [replica],
      stop: async () => {
        m.disconnect();
        await replica.stop();
        await master.stop();
      },
    };
  },
  cluster: async () => {
    const cluster: RedisCluster = await startRedisCluster({ masters: 3, replicas: 1 });
    const masterPorts = await cluster.masterPorts();
    const masters = masterPorts.map((port) => new Redis({ port, host: '127.0.0.1' }));
    const replicaPorts = await Promise.all(masterPorts.map((port) => cluster.replicaOf(port)));
    return {
      target: redisCluster(cluster.seeds),
      masters,
      replicas: replicaPorts.map((port) => cluster.nodes.find((n) => n.port === port)!),
      stop: async () => {
        masters.forEach((c) => c.disconnect());
        await cluster.stop();
      },
    };
  },
};
const waitsOf = async (masters: Redis[]) => (await Promise.all(masters.map(waitCalls))).reduce((a, b) => a + b, 0);

describe.skipIf(!hasRedisServerBinary()).each(['redis', 'cluster'] as const)('writes answered once a replica holds them (REDIS_WAIT_REPLICAS, %s)', (engine) => {
  let setup: Replicated;
  let runtime: StateRuntime;
  const keyPrefix = uniquePrefix();
  beforeAll(async () => {
    setup = await setups[engine]();
    // A roomy command timeout: 200 concurrent connects on a Cluster with replicas, beside the other suites on
    // two cores, may queue past the default second; what a stalled replica costs is bounded by WAIT_MS either way.
    const config = testConfig({ redis: setup.target, keyPrefix, redisWaitReplicas: 1, redisWaitTimeoutMs: WAIT_MS, redisCommandTimeoutMs: 5_000 });
    runtime = await createState(config, manualClock(Date.now()), silentLogger);
    // The replicas of a fresh cluster may answer their first WAITs late on a loaded CI: write until one is confirmed in time.
    for (let attempt = 0; ; attempt++) {
      try {
        await runtime.service.connectSession({ sessionId: 'ack-warm', userId: 'ack-warm', guildIds: ['ack-warm-g'] });
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }, 60_000);
  afterAll(async () => {
    await runtime?.close();
    await setup?.stop();
  });

  it('answers writes once the replica holds them, concurrent ones sharing their waits', async () => {
    const before = await waitsOf(setup.masters);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => runtime.service.connectSession(connect(i))));
    expect(results.every((r) => r.changed)).toBe(true);
    // Grouped: far fewer WAITs than writes (a Cluster connect writes in up to five steps).
    const waits = (await waitsOf(setup.masters)) - before;
    console.log(`replica acks (${engine}): 200 concurrent connects, ${waits} WAITs`);
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThan(engine === 'redis' ? 150 : 600);
  });

  it('answers STATE_UNAVAILABLE (may have been applied) when no replica confirms in time, and the retry converges', async () => {
    const input = { sessionId: 'ack-stalled', userId: 'ack-stalled-user', guildIds: [] };
    setup.replicas.forEach((r) => r.pause());
    const started = Date.now();
    const refused = await runtime.service.connectSession(input).then(
      () => null,
      (error: unknown) => error,
    );
    const took = Date.now() - started;
    setup.replicas.forEach((r) => r.resume());
    expect(refused).toBeInstanceOf(StateError);
    expect((refused as StateError).extensions).toMatchObject({ code: 'STATE_UNAVAILABLE', retryable: true, mayHaveBeenApplied: true });
    expect(took).toBeLessThan(1_000);
    // Applied on the master: the retry finds it there and converges.
    const retried = await runtime.service.connectSession(input);
    expect(retried.connection?.state).toBe('ONLINE');
    expect((await runtime.service.connectionStates([input.userId]))[0]!.sessionCount).toBe(1);
  });

  it('reads without waiting, even while the replicas are stalled', async () => {
    setup.replicas.forEach((r) => r.pause());
    try {
      const states = await runtime.service.connectionStates(['ack-u1', 'ack-u2']);
      expect(states.map((c) => c.state)).toEqual(['ONLINE', 'ONLINE']);
    } finally {
      setup.replicas.forEach((r) => r.resume());
    }
  });
});
