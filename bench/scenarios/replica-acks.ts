import { Redis } from 'ioredis';
import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState } from '../../src/state/create-state.js';
import { startRedisServer } from '../../test/utils/redis-server.js';
import { percentile, sleep } from '../lib.js';
import type { BenchContext } from '../run.js';

const IN_FLIGHT = 64;

/**
 * What REDIS_WAIT_REPLICAS=1 costs: connects through the state service (no
 * HTTP) on one Redis with a replica on this host, `IN_FLIGHT` at a time,
 * with and without waiting for the replica, alternating, twice each.
 */
export async function replicaAcks(ctx: BenchContext) {
  const master = await startRedisServer();
  const replica = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(master.port)]);
  const probe = new Redis(replica.url);
  while (!/master_link_status:up/.test(await probe.info('replication'))) await sleep(50);
  probe.disconnect();
  const seconds = ctx.quick ? 2 : 5;
  let prefix = 0;

  async function run(waitReplicas: number) {
    const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), redis: { mode: 'single' as const, url: master.url, password: undefined }, keyPrefix: `acks${prefix++}:`, redisWaitReplicas: waitReplicas };
    const runtime = await createState(config, manualClock(Date.now()), silentLogger);
    const latencies: number[] = [];
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, w) => {
        for (let k = 0; Date.now() < end; k++) {
          const t = performance.now();
          await runtime.service.connectSession({ sessionId: `s${w}-${k}`, userId: `u${w}-${k}`, guildIds: ['g1', 'g2'] });
          latencies.push(performance.now() - t);
        }
      }),
    );
    await runtime.close();
    return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  }

  const runs: Record<number, Array<{ rate: number; p50: number; p99: number }>> = { 0: [], 1: [] };
  try {
    for (const waitReplicas of [0, 1, 0, 1]) runs[waitReplicas]!.push(await run(waitReplicas));
  } finally {
    await replica.stop();
    await master.stop();
  }
  const best = (w: number) => runs[w]!.reduce((a, b) => (b.rate > a.rate ? b : a));
  const [plain, acked] = [best(0), best(1)];
  return {
    replica_acks_off_connects_per_s: plain.rate,
    replica_acks_on_connects_per_s: acked.rate,
    replica_acks_off_p99_ms: plain.p99,
    replica_acks_on_p99_ms: acked.p99,
    replica_acks_on_p50_added_ms: acked.p50 - plain.p50,
  };
}
