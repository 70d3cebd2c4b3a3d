import { Cluster, Redis } from 'ioredis';
import { silentLogger } from '../../src/logger.js';
import { createEventBus, type Transport } from '../../src/pubsub/event-bus.js';
import { createRedisTransport } from '../../src/pubsub/redis-transport.js';
import { createShardedTransport } from '../../src/pubsub/sharded-transport.js';
import { topics, type TopicPayloads } from '../../src/state/topics.js';
import { createClusterClients, type ClusterClients } from '../../src/state/redis/cluster-clients.js';
import { startRedisCluster, type RedisCluster } from '../../test/utils/redis-cluster.js';
import { until } from '../lib.js';
import type { BenchContext } from '../run.js';

const USERS = 1_000; // subscribed channels, spread over the three masters
const EVENTS = 50_000;
const BATCH = 500; // publishes in flight at once
const WARMUP = 20_000;

/** Summed over the masters: CPU seconds and bus messages sent for classic and sharded publishes. */
async function shardStats(ports: number[]) {
  let cpu = 0;
  let bus = 0;
  for (const port of ports) {
    const direct = new Redis({ port, host: '127.0.0.1' });
    const info = await direct.info('cpu');
    const cluster = (await direct.call('CLUSTER', 'INFO')) as string;
    direct.disconnect();
    cpu += Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
    bus += Number(/cluster_stats_messages_publish_sent:(\d+)/.exec(cluster)?.[1] ?? 0);
    bus += Number(/cluster_stats_messages_publishshard_sent:(\d+)/.exec(cluster)?.[1] ?? 0);
  }
  return { cpu, bus };
}

/** Publishes EVENTS presence events on instance A's bus and counts them arriving on instance B's. */
async function run(name: string, transportOf: (clients: ClusterClients, prefix: string) => Transport, cluster: RedisCluster, masters: number[]) {
  const target = { mode: 'cluster' as const, nodes: cluster.seeds.split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })), password: undefined, tls: false };
  const a = createClusterClients({ target, logger: silentLogger });
  const b = createClusterClients({ target, logger: silentLogger });
  const prefix = `bench:${name}:`;
  // B's buffer holds the whole run: this measures the transport, not one slow reader's cut-off.
  const busA = createEventBus<TopicPayloads>(transportOf(a, prefix));
  const busB = createEventBus<TopicPayloads>(transportOf(b, prefix), { bufferSize: EVENTS });
  const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
  const stream = await busB.subscribe(users.map((u) => topics.presenceUser(u)), {});
  let received = 0;
  const reading = (async () => {
    for await (const _ of stream) received++;
  })();
  const event = (i: number) => ({ userId: users[i % USERS]!, state: 'ONLINE' as const, previousState: 'OFFLINE' as const, status: 'ONLINE' as const, previousStatus: 'OFFLINE' as const, platforms: [], customStatus: null, sessionCount: 1, guildIds: [], at: i, version: i, snapshot: false, position: null });
  const publish = async (count: number) => {
    for (let i = 0; i < count; i += BATCH) {
      const sends = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) sends.push(busA.publish(topics.presenceUser(users[j % USERS]!), event(j)));
      await Promise.all(sends);
    }
  };
  // Warm up (JIT, first buffers) outside the measured window.
  await publish(WARMUP);
  await until(() => received >= WARMUP, 60_000, `${name}: the warm-up on B`);
  received = 0;
  const before = await shardStats(masters);
  const began = performance.now();
  await publish(EVENTS);
  await until(() => received >= EVENTS, 60_000, `${name}: every event on B`);
  const seconds = (performance.now() - began) / 1000;
  const after = await shardStats(masters);
  await stream.return?.();
  await reading;
  await Promise.all([busA.close(), busB.close()]);
  await Promise.all([a.close(), b.close()]);
  return {
    deliveriesPerS: EVENTS / seconds,
    busMessagesPerPublish: (after.bus - before.bus) / EVENTS,
    redisCpuUsPerPublish: ((after.cpu - before.cpu) * 1e6) / EVENTS,
  };
}

/**
 * Fan-out between two instances on a private 3-master Redis Cluster: the
 * classic transport (graphql-redis-subscriptions' RedisPubSub on ioredis
 * Cluster clients; every PUBLISH is copied to every node) against the sharded
 * one (SPUBLISH reaches only the channel's master). Redis CPU is summed over
 * the masters, so it includes what the bus copies cost the other nodes.
 */
export async function clusterPubsub(_ctx: BenchContext) {
  const cluster = await startRedisCluster({ masters: 3 });
  const extra: Cluster[] = [];
  try {
    const masters = await cluster.masterPorts();
    const classic = () => run(
      'classic',
      // RedisPubSub takes a Cluster as well as a Redis; the transport's type names only the latter.
      (c, keyPrefix) => {
        // A classic SUBSCRIBE connection on the cluster (ioredis picks one node for it).
        const subscriber = new Cluster(cluster.seeds.split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })));
        extra.push(subscriber);
        return createRedisTransport({ publisher: c.command as unknown as Redis, subscriber: subscriber as unknown as Redis, keyPrefix });
      },
      cluster,
      masters,
    );
    const sharded = () => run('sharded', (c, keyPrefix) => createShardedTransport({ publisher: c.command, subscriber: c.subscriber, keyPrefix }), cluster, masters);
    // Interleaved, two rounds each: one round alone swings 2x on this VM.
    const rounds = { classic: [await classic()], sharded: [await sharded()] };
    rounds.classic.push(await classic());
    rounds.sharded.push(await sharded());
    const out: Record<string, number> = {};
    for (const [name, [r1, r2]] of Object.entries(rounds)) {
      out[`cluster_${name}_deliveries_per_s`] = (r1!.deliveriesPerS + r2!.deliveriesPerS) / 2;
      out[`cluster_${name}_bus_messages_per_publish`] = (r1!.busMessagesPerPublish + r2!.busMessagesPerPublish) / 2;
      out[`cluster_${name}_redis_cpu_us_per_publish`] = (r1!.redisCpuUsPerPublish + r2!.redisCpuUsPerPublish) / 2;
    }
    return out;
  } finally {
    for (const c of extra) c.disconnect();
    await cluster.stop();
  }
}
