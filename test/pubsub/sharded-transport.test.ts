import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createEventBus } from '../../src/pubsub/event-bus.js';
import { createShardedTransport } from '../../src/pubsub/sharded-transport.js';
import { topics, type StateBus, type TopicPayloads } from '../../src/state/topics.js';
import { createClusterClients, type ClusterClients } from '../../src/state/redis/cluster-clients.js';
import type { PresenceEvent } from '../../src/state/types.js';
import { collect } from '../utils/collect.js';
import { uniquePrefix } from '../utils/engines.js';
import { startRedisCluster, type RedisCluster } from '../utils/redis-cluster.js';

const seeds = inject('redisClusterNodes');

/** Cluster clients for a REDIS_CLUSTER_NODES list. */
function clientsFor(nodes: string): ClusterClients {
  const endpoints = nodes.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) }));
  return createClusterClients({ target: { mode: 'cluster', nodes: endpoints, password: undefined, tls: false }, logger: silentLogger });
}

const event = (userId: string, version: number): PresenceEvent => ({
  userId,
  state: 'ONLINE',
  previousState: 'OFFLINE', status: 'ONLINE', previousStatus: 'OFFLINE', platforms: [], customStatus: null,
  sessionCount: 1,
  guildIds: [],
  at: 1,
  version,
  snapshot: false,
  position: null,
});

/** Sums a counter of CLUSTER INFO over every master. */
async function clusterStat(clients: ClusterClients, field: string): Promise<number> {
  let sum = 0;
  for (const node of clients.command.nodes('master')) {
    // A connection of our own: the cluster's node connections may not be up (no offline queue).
    const direct = new Redis({ host: node.options.host, port: node.options.port });
    const info = (await direct.call('CLUSTER', 'INFO')) as string;
    direct.disconnect();
    sum += Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? 0);
  }
  return sum;
}

describe.skipIf(!seeds)('sharded pub/sub transport on a 3-master Redis Cluster', () => {
  const all: ClusterClients[] = [];
  const open = () => {
    const clients = clientsFor(seeds ?? '');
    all.push(clients);
    return clients;
  };
  afterAll(async () => {
    await Promise.all(all.map((c) => c.close()));
  });

  it('delivers every topic to another instance, on channels of every master, once', async () => {
    const prefix = uniquePrefix();
    const a = open();
    const b = open();
    const busA = createEventBus<TopicPayloads>(createShardedTransport({ publisher: a.command, subscriber: a.subscriber, keyPrefix: prefix }));
    const busB = createEventBus<TopicPayloads>(createShardedTransport({ publisher: b.command, subscriber: b.subscriber, keyPrefix: prefix }));
    // Enough users that their channels land on all three masters.
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const received = collect(await busB.subscribe(users.map((u) => topics.presenceUser(u))));
    for (const [i, u] of users.entries()) await busA.publish(topics.presenceUser(u), event(u, i));
    const events = await received.take(users.length);
    expect(events.map((e) => e.userId).sort()).toEqual([...users].sort());
    // Nothing more: each event arrived once.
    expect(await received.settle(100)).toHaveLength(users.length);
    received.close();
    await Promise.all([busA.close(), busB.close()]);
  });

  it('copies nothing over the cluster bus, where a classic PUBLISH reaches every node', async () => {
    const prefix = uniquePrefix();
    const a = open();
    const bus = createEventBus<TopicPayloads>(createShardedTransport({ publisher: a.command, subscriber: a.subscriber, keyPrefix: prefix }));
    const before = await clusterStat(a, 'cluster_stats_messages_publish_sent');
    const shardBefore = await clusterStat(a, 'cluster_stats_messages_publishshard_sent');
    for (let i = 0; i < 100; i++) await bus.publish(topics.presenceUser(`u${i}`), event(`u${i}`, i));
    expect(await clusterStat(a, 'cluster_stats_messages_publish_sent')).toBe(before);
    // No subscriber anywhere else: a sharded message stays on its master.
    expect(await clusterStat(a, 'cluster_stats_messages_publishshard_sent')).toBe(shardBefore);
    for (let i = 0; i < 100; i++) await a.command.publish(`${prefix}classic`, 'x');
    // 3 masters: each classic PUBLISH goes to the other two.
    expect((await clusterStat(a, 'cluster_stats_messages_publish_sent')) - before).toBe(200);
    await bus.close();
  });

  it('refuses a pattern subscription with a clear error', async () => {
    const a = open();
    const transport = createShardedTransport({ publisher: a.command, subscriber: a.subscriber, keyPrefix: uniquePrefix() });
    await expect(transport.subscribe(topics.allRooms(), () => {})).rejects.toThrow(/no pattern subscriptions/);
    await transport.close();
  });
});

type Received = ReturnType<typeof collect<PresenceEvent>>;
type Bus = StateBus;

/** Publishes to every user's channel until each delivers again; publishes in the gap may fail or be lost. */
async function deliversAgain(bus: Bus, received: Received, users: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(users);
  for (let version = 1; pending.size > 0 && Date.now() < deadline; version++) {
    for (const u of pending) await bus.publish(topics.presenceUser(u), event(u, version)).catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    for (const e of received.events.splice(0)) if (e.version === version) pending.delete(e.userId);
  }
  expect([...pending]).toEqual([]);
}

describe.skipIf(!seeds)('sharded pub/sub across a Cluster failover', () => {
  let cluster: RedisCluster;
  let clients: ClusterClients[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await cluster?.stop();
  });
  /** Two instances' buses on the failover cluster, sharing a key prefix. */
  const twoInstances = (prefix: string) => {
    const [a, b] = [clientsFor(cluster.seeds), clientsFor(cluster.seeds)];
    clients.push(a, b);
    const bus = (c: ClusterClients) => createEventBus<TopicPayloads>(createShardedTransport({ publisher: c.command, subscriber: c.subscriber, keyPrefix: prefix }));
    return { busA: bus(a), busB: bus(b) };
  };

  it('delivers again after a replica takes over, and says how long the gap was', async () => {
    const prefix = uniquePrefix();
    const { busA, busB } = twoInstances(prefix);
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const received = collect(await busB.subscribe(users.map((u) => topics.presenceUser(u))));
    // A new client may not be connected yet (no offline queue): publish until every channel delivers.
    await deliversAgain(busA, received, users);

    // Promote the replica of the master serving the lowest slots.
    const [firstMaster] = await cluster.masterPorts();
    const replica = await cluster.replicaOf(firstMaster!);
    const start = Date.now();
    await cluster.failover(replica);

    await deliversAgain(busA, received, users);
    console.log(`sharded pub/sub delivered on every channel ${Date.now() - start} ms after CLUSTER FAILOVER began`);
    received.close();
    await Promise.all([busA.close(), busB.close()]);
  }, 60_000);

  it('delivers again after a master process is killed and its replica is promoted', async () => {
    const prefix = uniquePrefix();
    const { busA, busB } = twoInstances(prefix);
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const received = collect(await busB.subscribe(users.map((u) => topics.presenceUser(u))));
    await deliversAgain(busA, received, users);

    const [, secondMaster] = await cluster.masterPorts();
    const start = Date.now();
    await cluster.nodes.find((n) => n.port === secondMaster)!.kill();
    await deliversAgain(busA, received, users, 20_000);
    console.log(`sharded pub/sub delivered on every channel ${Date.now() - start} ms after a master was killed`);
    received.close();
    await Promise.all([busA.close(), busB.close()]);
  }, 60_000);
});
