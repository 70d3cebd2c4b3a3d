import { createStudyCalendar } from '../../src/state/calendar.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { createClusterState, type ClusterState } from '../../src/state/cluster/engine.js';
import { createReplicaAcks } from '../../src/state/redis/replica-acks.js';
import type { ClusterClients } from '../../src/state/redis/cluster-clients.js';
import type { PresenceEvent } from '../../src/state/types.js';
import { sleep, until } from '../utils/collect.js';
import { uniquePrefix } from '../utils/engines.js';
import { openClusterClients, startRedisCluster, type RedisCluster } from '../utils/redis-cluster.js';

// Only runs where the suites have a Cluster (REQUIRE_REDIS=1 makes a missing one a failure).
const seeds = inject('redisClusterNodes');
const USERS = 24;
const GUILDS = ['fa', 'fb', 'fc', 'fd'];

/** A call that neither hangs nor fails with anything but STATE_UNAVAILABLE. */
async function attempt<T>(work: () => Promise<T>, codes: Map<string, number>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('a call hung for 5 s')), 5_000);
  });
  try {
    return await Promise.race([work(), hang]);
  } catch (error) {
    const code = error instanceof StateError ? error.code : String(error);
    codes.set(code, (codes.get(code) ?? 0) + 1);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!seeds)('the Cluster state layer across a failover, under load from two instances', () => {
  let cluster: RedisCluster;
  const clients: ClusterClients[] = [];
  beforeAll(async () => {
    // Two replicas a master: after one is promoted (or the master killed) its master still has one to wait for.
    cluster = await startRedisCluster({ masters: 3, replicas: 2 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
  });

  const open = async () => {
    const c = await openClusterClients(cluster.seeds);
    clients.push(c);
    return c;
  };
  // Writes answered once a replica holds them (REDIS_WAIT_REPLICAS=1): Redis replicates asynchronously,
  // and without it a write answered as the switch began was once missing afterwards (docs/cluster-layout.md).
  const replicaAcks = createReplicaAcks({ replicas: 1, timeoutMs: 500 });
  const instance = async (prefix: string) =>
    createClusterState({ client: (await open()).command, replicaAcks, keyPrefix: prefix, presenceRetentionSeconds: 3600, studyRetentionDays: 7, calendar: createStudyCalendar('00:00', 'UTC'), tombstoneSeconds: 600, graceMs: 0, defaultLeaseMs: 60_000 });

  /**
   * Each user, alternating instances: connect, join a voice channel when connected, then
   * disconnect until it is answered (a disconnect is idempotent), so every
   * user ends closed. Returns the error codes seen and when the first and
   * last error happened.
   */
  async function load(a: ClusterState, b: ClusterState, running: () => boolean) {
    const codes = new Map<string, number>();
    const errors: number[] = [];
    const note = <T,>(r: T | null) => {
      if (r === null) errors.push(Date.now());
      return r;
    };
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const userId = `fu${u}`;
        for (let k = 0; running(); k++) {
          const [x, y] = k % 2 ? [a, b] : [b, a];
          const sessionId = `${userId}-s${k}`;
          const now = Date.now();
          const input = { userId, sessionId, guildIds: [GUILDS[u % 4]!, GUILDS[(u + 1) % 4]!], roomId: null, nodeId: 'fnode' };
          // Voice only while online: the close of the last session is what ends it (voice alone outlives no session).
          if (note(await attempt(() => x.connectSession(input, now), codes))) {
            note(await attempt(() => y.joinVoice({ userId, guildId: GUILDS[(u + k) % 4]!, channelId: `c${k % 3}`, at: null }, now + 1), codes));
          }
          while (note(await attempt(() => x.disconnectSession(sessionId, now + 2), codes)) === null) await sleep(50);
        }
      }),
    );
    return { codes, window: errors.length ? errors[errors.length - 1]! - errors[0]! : 0 };
  }

  /** After the load: everyone is OFFLINE, and once repairs ran, no guild shows anyone online or in voice. */
  async function invariants(a: ClusterState, b: ClusterState) {
    const users = Array.from({ length: USERS }, (_, u) => `fu${u}`);
    expect((await a.connectionStates(users)).connections.filter((c) => c.state !== 'OFFLINE')).toEqual([]);
    await until(async () => (await b.repair(Date.now() + 60_000)) === 0, 10_000, 'outboxes drained');
    for (const g of GUILDS) {
      expect(await a.guildOnline(g)).toEqual([]);
      expect(await a.channelStates(g)).toEqual([]);
    }
  }

  /** Subscriptions deliver again: a connect on A reaches a guild subscriber on every guild channel. */
  async function deliversAgain(a: ClusterState, listener: ClusterClients) {
    const seen = new Set<string>();
    const onMessage = (_channel: string, message: string) => seen.add((JSON.parse(message) as PresenceEvent).userId);
    listener.subscriber.on('smessage', onMessage);
    for (const g of GUILDS) await listener.subscriber.ssubscribe(a.keys.channels.presenceGuild(g));
    for (let i = 0; !GUILDS.every((g) => seen.has(`probe-${g}`)) && i < 100; i++) {
      for (const g of GUILDS) {
        if (seen.has(`probe-${g}`)) continue;
        await a.connectSession({ userId: `probe-${g}`, sessionId: `probe-${g}-${i}`, guildIds: [g], roomId: null, nodeId: null }, Date.now()).catch(() => {});
        await a.disconnectSession(`probe-${g}-${i}`, Date.now()).catch(() => {});
      }
      await sleep(100);
    }
    listener.subscriber.off('smessage', onMessage);
    expect(GUILDS.filter((g) => !seen.has(`probe-${g}`))).toEqual([]);
  }

  async function survives(fail: () => Promise<void>, what: string) {
    const prefix = uniquePrefix();
    const [a, b] = [await instance(prefix), await instance(prefix)];
    let running = true;
    const loading = load(a, b, () => running);
    await sleep(1_000);
    const began = Date.now();
    await fail();
    await cluster.waitHealthy(20_000);
    await sleep(1_500);
    running = false;
    const { codes, window } = await loading;
    console.log(`cluster state: ${what}: errors for ${window} ms (${Date.now() - began} ms until the load stopped), ${JSON.stringify(Object.fromEntries(codes))}`);
    expect([...codes.keys()].filter((code) => code !== 'STATE_UNAVAILABLE')).toEqual([]);
    await invariants(a, b);
    await deliversAgain(a, await open());
  }

  it('answers only STATE_UNAVAILABLE while a replica takes over (CLUSTER FAILOVER), then holds every invariant', async () => {
    const [first] = await cluster.masterPorts();
    const replica = await cluster.replicaOf(first!);
    await survives(() => cluster.failover(replica), 'CLUSTER FAILOVER');
  }, 90_000);

  it('answers only STATE_UNAVAILABLE when a master process is killed, then holds every invariant', async () => {
    const [, second] = await cluster.masterPorts();
    await survives(() => cluster.nodes.find((n) => n.port === second)!.kill(), 'master killed');
  }, 90_000);
});
