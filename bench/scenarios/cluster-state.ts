import { Redis } from 'ioredis';
import { silentLogger } from '../../src/logger.js';
import { createStudyCalendar } from '../../src/state/calendar.js';
import { createClusterState } from '../../src/state/cluster/engine.js';
import { createClusterClients } from '../../src/state/redis/cluster-clients.js';
import { createRedisEngine } from '../../src/state/redis/engine.js';
import type { ConnectSessionInput, ConnectionStates, SessionResult } from '../../src/state/types.js';
import { startRedisCluster } from '../../test/utils/redis-cluster.js';
import type { BenchContext } from '../run.js';

const CONNECTS = 20_000;
const IN_FLIGHT = 64;
const READS = 300;

interface Engine {
  connectSession(input: ConnectSessionInput, now: number): Promise<SessionResult>;
  connectionStates(userIds: readonly string[]): Promise<ConnectionStates>;
}

/** Redis CPU seconds used so far, summed over the given servers. */
async function cpuOf(ports: number[]) {
  let sum = 0;
  for (const port of ports) {
    const direct = new Redis({ port, host: '127.0.0.1' });
    const info = await direct.info('cpu');
    direct.disconnect();
    sum += Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
  }
  return sum;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** First connects with two guilds, IN_FLIGHT at once; then connectionStates of 1,000 users, one at a time. */
async function measure(engine: Engine, ports: number[], tag: string) {
  const input = (i: number): ConnectSessionInput => ({ userId: `${tag}u${i}`, sessionId: `${tag}s${i}`, guildIds: [`g${i % 50}`, `g${(i + 7) % 50}`], roomId: null, nodeId: 'bench-node' });
  let next = 0;
  const worker = async () => {
    while (next < CONNECTS) await engine.connectSession(input(next++), Date.now());
  };
  const cpu0 = await cpuOf(ports);
  const began = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - began) / 1000;
  const cpu = ((await cpuOf(ports)) - cpu0) * 1e6;

  const ids = Array.from({ length: 1_000 }, (_, i) => `${tag}u${i * 7}`);
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t = performance.now();
    await engine.connectionStates(ids);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { connectsPerS: CONNECTS / seconds, cpuUsPerConnect: cpu / CONNECTS, statesP50: percentile(times, 0.5), statesP99: percentile(times, 0.99) };
}

/**
 * The state layer on a private 3-master Cluster (claim, user step, guild
 * steps, ack: docs/cluster-layout.md) against today's one-script engine on
 * the bench's single Redis, in the same run: connect throughput from one
 * client, Redis CPU per first connect summed over every server, and
 * connectionStates(1,000 users) latency.
 */
export async function clusterState(ctx: BenchContext) {
  const cluster = await startRedisCluster({ masters: 3 });
  const single = new Redis(ctx.redisUrl, { enableOfflineQueue: true });
  const target = { mode: 'cluster' as const, nodes: cluster.seeds.split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })), password: undefined, tls: false };
  const clients = createClusterClients({ target, logger: silentLogger });
  try {
    await new Promise((resolve) => clients.command.once('ready', resolve));
    const retention = { presenceRetentionSeconds: 3600, tombstoneSeconds: 60, graceMs: 0, defaultLeaseMs: 30_000 };
    const onCluster = createClusterState({ client: clients.command, keyPrefix: 'bench:cs:', ...retention, studyRetentionDays: 7, calendar: createStudyCalendar('00:00', 'UTC') });
    const onSingle = createRedisEngine({
      client: single,
      keyPrefix: `bench:single:${Date.now()}:`,
      ...retention,
      studyRetentionDays: 7,
      calendar: createStudyCalendar('00:00', 'UTC'),
    });
    const singlePort = Number(new URL(ctx.redisUrl).port);
    const masters = await cluster.masterPorts();
    // Interleaved rounds; ids differ per round so every connect is a first one.
    const rounds = { single: [] as Awaited<ReturnType<typeof measure>>[], cluster: [] as Awaited<ReturnType<typeof measure>>[] };
    for (let r = 0; r < 2; r++) {
      rounds.single.push(await measure(onSingle, [singlePort], `r${r}`));
      rounds.cluster.push(await measure(onCluster, masters, `r${r}`));
    }
    const mean = (list: Array<Record<string, number>>, key: string) => list.reduce((a, b) => a + b[key]!, 0) / list.length;
    const out: Record<string, number> = {};
    for (const [name, list] of Object.entries(rounds)) {
      out[`${name}_state_connects_per_s`] = mean(list, 'connectsPerS');
      out[`${name}_state_redis_cpu_us_per_connect`] = mean(list, 'cpuUsPerConnect');
      out[`${name}_state_connection_states_1000_p50_ms`] = mean(list, 'statesP50');
      out[`${name}_state_connection_states_1000_p99_ms`] = mean(list, 'statesP99');
    }
    return out;
  } finally {
    single.disconnect();
    await clients.close();
    await cluster.stop();
  }
}
