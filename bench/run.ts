/**
 * npm run bench [-- --quick] [-- --only=name,...] [-- --repeat=n]
 *
 * Measures the machine's baselines and our server in the same run, prints
 * one table and writes bench/results/latest.json (quick runs:
 * bench/results/quick.json, runs of some scenarios: partial.json). Each
 * scenario starts its own server processes and a private redis-server.
 *
 * Throughput on a shared VM swings by up to 2x from one minute to the next, so
 * the throughput scenarios run `repeat` times (3 in a full run), each round
 * measuring baselines and our server back to back; every throughput number
 * is the median of its rounds and every ratio the median of the rounds'
 * ratios, each of which compares measurements taken a minute apart.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startRedisServer } from '../test/utils/redis-server.js';
import { baselines } from './scenarios/baselines.js';
import { clusterPubsub } from './scenarios/cluster-pubsub.js';
import { clusterState } from './scenarios/cluster-state.js';
import { fanout } from './scenarios/fanout.js';
import { ingest } from './scenarios/ingest.js';
import { peers } from './scenarios/peers.js';
import { latency } from './scenarios/latency.js';
import { memory } from './scenarios/memory.js';
import { overload } from './scenarios/overload.js';
import { sseBurst } from './scenarios/sse-burst.js';
import { sseSoak } from './scenarios/sse-soak.js';
import { startup } from './scenarios/startup.js';
import { replicaAcks } from './scenarios/replica-acks.js';
import { guildPresence } from './scenarios/guild-presence.js';

export interface BenchContext {
  quick: boolean;
  /** A fresh Redis for the memory scenario, where the default prefix keeps key sizes as deployed. */
  flushRedis(): Promise<void>;
  /** Length of each load test. */
  seconds: number;
  redisUrl: string;
  /** Environment for a state-server process of a scenario. */
  serverEnv(scenario: string): Record<string, string>;
  /** Keeps a series of values (one per round of a soak) for the results file. */
  series(name: string, values: number[]): void;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice(9) ?? (quick ? 1 : 3));
/** The scenarios measuring throughput, run in each round; the others (distributions already) run once. */
const repeated = new Set(['baselines', 'ingest', 'fanout']);

const targets: Record<string, [string, number]> = {
  ingest_http_ratio: ['>=', 0.35],
  ingest_ws_ratio: ['>=', 0.5],
  batch_ingest_vs_single: ['>=', 10],
  ingest_vs_mercurius: ['>=', 1],
  ingest_vs_raw: ['>=', 0.7],
  ingest_p99_vs_mercurius: ['<=', 1.5],
  redis_cpu_per_connect_vs_minimal: ['<=', 1.3],
  fanout_ratio: ['>=', 0.8],
  fanout_vs_raw: ['>=', 0.5],
  fanout_delivery_p99_vs_raw: ['<=', 2],
  cross_instance_p99_ms: ['<=', 15],
  connection_states_1000_p99_ms: ['<=', 20],
  redis_bytes_per_user: ['<=', 450],
  heap_bytes_per_subscriber: ['<=', 20_000],
  sse_burst_health_max_ms: ['<=', 100],
  sse_soak_rss_growth_second_half_mb: ['<=', 16],
  sse_soak_heap_growth_second_half_mb: ['<=', 1],
  overload_mutation_p99_ms: ['<=', 500],
  overload_delivery_lag_max_ms: ['<=', 10_000],
  startup_compiled_ms: ['<=', 2_000],
  cluster_state_connection_states_1000_p99_ms: ['<=', 25],
  cluster_day_close_50000_longest_step_ms: ['<=', 50],
  guild_presence_100000_p99_ms: ['<=', 10],
  online_members_page_100_p99_ms: ['<=', 10],
};
const series: Record<string, number[]> = {};

let servers = 0;
/** A scenario's context, on its own Redis: one scenario's leftovers (ingest's expiring tombstones) must not load the next. */
const contextFor = (redisUrl: string): BenchContext => ({
  quick,
  seconds: quick ? 3 : 10,
  redisUrl,
  // A prefix per call: a scenario's second server must not meet the first one's tombstones.
  // The memory scenario measures keys as deployed: the default prefix, on an emptied Redis.
  serverEnv: (scenario) => ({
    REDIS_URL: redisUrl,
    KEY_PREFIX: scenario === 'memory' ? 'ss:' : `bench:${scenario}:${servers++}:`,
    LOG_LEVEL: 'warn',
  }),
  series: (name, values) => {
    series[name] = values;
  },
  flushRedis: async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(redisUrl);
    await client.flushall();
    client.disconnect();
  },
});

const scenarios = { baselines, ingest, peers, fanout, latency, memory, sse_burst: sseBurst, sse_soak: sseSoak, overload, startup, cluster_pubsub: clusterPubsub, cluster_state: clusterState, replica_acks: replicaAcks, guild_presence: guildPresence };
const ratiosOf = (metrics: Record<string, number>) => {
  const ratio = (a: string, b: string) => (metrics[a] !== undefined && metrics[b] ? metrics[a]! / metrics[b]! : undefined);
  const all: Record<string, number | undefined> = {
    ingest_http_ratio: ratio('ingest_http_rps', 'baseline_http_rps'),
    ingest_ws_ratio: ratio('ingest_ws_rps', 'baseline_http_rps'),
    batch_ingest_vs_single: ratio('batch_ingest_items_per_s', 'ingest_http_rps'),
    ingest_vs_mercurius: ratio('peer_state_server_connect_rps', 'peer_mercurius_connect_rps'),
    ingest_vs_raw: ratio('peer_state_server_connect_rps', 'peer_raw_connect_rps'),
    ingest_vs_yoga: ratio('peer_state_server_connect_rps', 'peer_yoga_connect_rps'),
    ingest_p99_vs_mercurius: ratio('peer_state_server_connect_p99_ms', 'peer_mercurius_connect_p99_ms'),
    redis_cpu_per_connect_vs_minimal: ratio('peer_state_server_redis_cpu_us_per_connect', 'peer_raw_redis_cpu_us_per_connect'),
    fanout_ratio: ratio('fanout_3000_deliveries_per_s', 'baseline_raw_ws_3000_deliveries_per_s'),
    // Issue 17's names: 3,000 subscribers on 60 sockets; fanout_ratio above is the same on 3,000 sockets.
    fanout_vs_raw: ratio('fanout_3000_on_60_deliveries_per_s', 'baseline_raw_ws_3000_on_60_deliveries_per_s'),
    fanout_vs_raw_3000_sockets: ratio('fanout_3000_deliveries_per_s', 'baseline_raw_ws_3000_deliveries_per_s'),
    fanout_delivery_p99_vs_raw: ratio('fanout_3000_on_60_delivery_p99_ms', 'baseline_raw_ws_3000_on_60_delivery_p99_ms'),
    fanout_1000_ratio: ratio('fanout_1000_deliveries_per_s', 'baseline_raw_ws_1000_deliveries_per_s'),
    fanout_one_in_flight_ratio: ratio('fanout_3000_one_in_flight_deliveries_per_s', 'baseline_raw_ws_3000_deliveries_per_s'),
    yoga_ratio: ratio('baseline_yoga_rps', 'baseline_http_rps'),
    replica_acks_throughput_ratio: ratio('replica_acks_on_connects_per_s', 'replica_acks_off_connects_per_s'),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, number>;
};

const rounds: Record<string, number>[] = [];
const began = Date.now();
for (let round = 0; round < repeat; round++) {
  const metrics: Record<string, number> = {};
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    if (round > 0 && !repeated.has(name)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${name}${repeat > 1 ? ` (round ${round + 1}/${repeat})` : ''}...`);
    const redis = await startRedisServer();
    try {
      Object.assign(metrics, await run(contextFor(redis.url)));
    } finally {
      await redis.stop();
    }
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    // The next scenario starts on a quiet machine: this process's garbage
    // from thousands of sockets collected now (not inside a timed window),
    // and the last scenario's closed sockets and processes gone.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  rounds.push({ ...metrics, ...ratiosOf(metrics) });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const all: Record<string, number> = {};
for (const name of new Set(rounds.flatMap((r) => Object.keys(r)))) {
  all[name] = median(rounds.flatMap((r) => (r[name] === undefined ? [] : [r[name]!])));
}

const format = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const rows = Object.entries(all).map(([name, value]) => {
  const target = targets[name];
  const ok = target ? (target[0] === '>=' ? value >= target[1] : value <= target[1]) : undefined;
  return { name, value: format(value), target: target ? `${target[0]} ${target[1]}` : '', ok: ok === undefined ? '' : ok ? 'yes' : 'NO' };
});
const width = (key: keyof (typeof rows)[number], title: string) => Math.max(title.length, ...rows.map((r) => r[key].length));
const w = { name: width('name', 'metric'), value: width('value', 'value'), target: width('target', 'target') };
const line = (a: string, b: string, c: string, d: string) => `| ${a.padEnd(w.name)} | ${b.padStart(w.value)} | ${c.padEnd(w.target)} | ${d.padEnd(4)} |`;
console.log(line('metric', 'value', 'target', 'met'));
console.log(`|${'-'.repeat(w.name + 2)}|${'-'.repeat(w.value + 2)}:|${'-'.repeat(w.target + 2)}|------|`);
for (const r of rows) console.log(line(r.name, r.value, r.target, r.ok));
if (repeat > 1) console.log(`\nthroughput numbers and ratios: medians of ${repeat} rounds (bench/results: rounds)`);
for (const [name, values] of Object.entries(series)) console.log(`${name} by round: ${values.map((v) => format(v)).join(' ')}`);

const out = new URL(`./results/${quick ? 'quick' : only ? 'partial' : 'latest'}.json`, import.meta.url);
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      quick,
      seconds: (Date.now() - began) / 1000,
      machine: { cpus: availableParallelism(), node: process.version },
      metrics: all,
      targets,
      repeat,
      rounds,
      series,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out.pathname} (${((Date.now() - began) / 1000).toFixed(0)} s)`);
