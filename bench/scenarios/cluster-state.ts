import { Redis, type Cluster } from 'ioredis';
import { silentLogger } from '../../src/logger.js';
import { createStudyCalendar } from '../../src/state/calendar.js';
import { createClusterState } from '../../src/state/cluster/engine.js';
import { createClusterClients } from '../../src/state/redis/cluster-clients.js';
import { createRedisEngine } from '../../src/state/redis/engine.js';
import type { ConnectSessionInput, ConnectionStates, SessionResult } from '../../src/state/types.js';
import { startRedisCluster } from '../../test/utils/redis-cluster.js';
import type { BenchContext } from '../run.js';
import { redisCpuSeconds } from '../lib.js';

const CONNECTS = 20_000;
const IN_FLIGHT = 64;
const READS = 300;

interface Engine {
  connectSession(input: ConnectSessionInput, now: number): Promise<SessionResult>;
  disconnectSession(sessionId: string, now: number): Promise<SessionResult>;
  connectionStates(userIds: readonly string[]): Promise<ConnectionStates>;
}

/** Redis CPU seconds used so far by each of the given servers. */
const cpuOf = (ports: number[]) => Promise.all(ports.map(redisCpuSeconds));

/** Counts the commands a client sends (each one round trip of its own, whatever is pipelined with it). */
function countCommands(client: { sendCommand: (...args: any[]) => unknown }) {
  const counter = { sent: 0 };
  const send = client.sendCommand.bind(client);
  client.sendCommand = (...args: any[]) => {
    counter.sent++;
    return send(...args);
  };
  return counter;
}

/** Runs `count` operations, IN_FLIGHT at once: per operation the Redis CPU (all servers, and the busiest) and commands sent. */
async function load(count: number, ports: number[], counter: { sent: number }, run: (i: number) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await run(next++);
  };
  const cpu0 = await cpuOf(ports);
  const sent0 = counter.sent;
  const began = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - began) / 1000;
  const used = (await cpuOf(ports)).map((c, i) => (c - cpu0[i]!) * 1e6);
  return {
    perS: count / seconds,
    cpuUs: used.reduce((a, b) => a + b, 0) / count,
    busiestUs: Math.max(...used) / count,
    commands: (counter.sent - sent0) / count,
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** First connects with two guilds, then their disconnects, IN_FLIGHT at once; then connectionStates of 1,000 users, one at a time. */
async function measure(engine: Engine, ports: number[], counter: { sent: number }, tag: string) {
  const input = (i: number): ConnectSessionInput => ({ userId: `${tag}u${i}`, sessionId: `${tag}s${i}`, guildIds: [`g${i % 50}`, `g${(i + 7) % 50}`], roomId: null, nodeId: 'bench-node' });
  const connects = await load(CONNECTS, ports, counter, (i) => engine.connectSession(input(i), Date.now()));

  const ids = Array.from({ length: 1_000 }, (_, i) => `${tag}u${i * 7}`);
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t = performance.now();
    await engine.connectionStates(ids);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const disconnects = await load(CONNECTS, ports, counter, (i) => engine.disconnectSession(`${tag}s${i}`, Date.now()));
  return {
    connectsPerS: connects.perS,
    cpuUsPerConnect: connects.cpuUs,
    busiestShardCpuUsPerConnect: connects.busiestUs,
    commandsPerConnect: connects.commands,
    cpuUsPerDisconnect: disconnects.cpuUs,
    commandsPerDisconnect: disconnects.commands,
    statesP50: percentile(times, 0.5),
    statesP99: percentile(times, 0.99),
  };
}

const DAY_CLOSE_TIMERS = 50_000;

/** The longest single command (µs) each server logged since its SLOWLOG was reset, over the given servers. */
async function longestCommandUs(ports: number[], reset: boolean) {
  let longest = 0;
  for (const port of ports) {
    const direct = new Redis({ port, host: '127.0.0.1' });
    if (reset) {
      await direct.config('SET', 'slowlog-log-slower-than', '1000');
      await direct.config('SET', 'slowlog-max-len', '10000');
      await direct.slowlog('RESET');
    } else {
      for (const entry of (await direct.slowlog('GET', 10_000)) as Array<[number, number, number]>) longest = Math.max(longest, Number(entry[2]));
    }
    direct.disconnect();
  }
  return longest;
}

/**
 * A study day closing with 50,000 timers running, spread over the
 * partitions: how long the close takes and the longest any shard was held
 * by one of its steps (SLOWLOG; target ≤ 50 ms).
 */
async function dayClose(state: ReturnType<typeof createClusterState>, ports: number[]) {
  const started = Date.parse('2026-12-01T12:00:00Z');
  let next = 0;
  const worker = async () => {
    while (next < DAY_CLOSE_TIMERS) {
      const i = next++;
      await state.startStudyTimer(`dc-u${i}`, null, started + (i % 1000));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await longestCommandUs(ports, true);
  const began = performance.now();
  const closed = await state.closeDay('2026-12-01', Date.parse('2026-12-02T00:00:05Z'));
  const seconds = (performance.now() - began) / 1000;
  if (closed?.users !== DAY_CLOSE_TIMERS) throw new Error(`day close credited ${closed?.users} users, not ${DAY_CLOSE_TIMERS}`);
  return { seconds, longestStepMs: (await longestCommandUs(ports, false)) / 1000 };
}

/**
 * The state layer on a private 3-master Cluster (claim, user step, guild
 * steps, ack: docs/cluster-layout.md) against today's one-script engine on
 * the bench's single Redis, in the same run: connect throughput from one
 * client; per first connect and per disconnect the Redis CPU summed over
 * every server (and the busiest one's) and the commands sent; and
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
    // The Cluster layer's steps on the single Redis: what one code path for every mode would cost there.
    const stepsClient = new Redis(ctx.redisUrl, { enableOfflineQueue: true });
    const onSingleSteps = createClusterState({
      client: stepsClient as unknown as Cluster,
      keyPrefix: `bench:steps:${Date.now()}:`,
      ...retention,
      studyRetentionDays: 7,
      calendar: createStudyCalendar('00:00', 'UTC'),
    });
    const stepsSent = countCommands(stepsClient);
    const singlePort = Number(new URL(ctx.redisUrl).port);
    const singleSent = countCommands(single);
    const clusterSent = countCommands(clients.command);
    const masters = await cluster.masterPorts();
    // Interleaved rounds; ids differ per round so every connect is a first one.
    type Round = Awaited<ReturnType<typeof measure>>;
    const rounds = { single: [] as Round[], steps_on_single: [] as Round[], cluster: [] as Round[] };
    for (let r = 0; r < 2; r++) {
      rounds.single.push(await measure(onSingle, [singlePort], singleSent, `r${r}`));
      rounds.steps_on_single.push(await measure(onSingleSteps, [singlePort], stepsSent, `r${r}`));
      rounds.cluster.push(await measure(onCluster, masters, clusterSent, `r${r}`));
    }
    stepsClient.disconnect();
    const close = await dayClose(onCluster, masters);
    const mean = (list: Array<Record<string, number>>, key: string) => list.reduce((a, b) => a + b[key]!, 0) / list.length;
    const out: Record<string, number> = {};
    for (const [name, list] of Object.entries(rounds)) {
      out[`${name}_state_connects_per_s`] = mean(list, 'connectsPerS');
      out[`${name}_state_redis_cpu_us_per_connect`] = mean(list, 'cpuUsPerConnect');
      out[`${name}_state_busiest_shard_cpu_us_per_connect`] = mean(list, 'busiestShardCpuUsPerConnect');
      out[`${name}_state_round_trips_per_connect`] = mean(list, 'commandsPerConnect');
      out[`${name}_state_redis_cpu_us_per_disconnect`] = mean(list, 'cpuUsPerDisconnect');
      out[`${name}_state_round_trips_per_disconnect`] = mean(list, 'commandsPerDisconnect');
      out[`${name}_state_connection_states_1000_p50_ms`] = mean(list, 'statesP50');
      out[`${name}_state_connection_states_1000_p99_ms`] = mean(list, 'statesP99');
    }
    out.cluster_day_close_50000_seconds = close.seconds;
    out.cluster_day_close_50000_longest_step_ms = close.longestStepMs;
    return out;
  } finally {
    single.disconnect();
    await clients.close();
    await cluster.stop();
  }
}
