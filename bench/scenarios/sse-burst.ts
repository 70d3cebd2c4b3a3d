import { mutationBurst, probe, rawSse } from '../../test/utils/load.js';
import { startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const ROOM_EVENTS = 'subscription { roomEvents(roomId: "burst") { type roomId userId alertCount message at } }';
const PUBLISH = 'mutation ($i: Int!) { publishRoomEvent(input: { type: ALERT, roomId: "burst", userId: "u1", alertCount: $i, message: "a short room alert" }) { at } }';
const SUBSCRIBERS = 30;

/**
 * The hostile run's freeze: 30 SSE subscribers of one room on one instance
 * while a burst of room events is published through another; /health on
 * the subscribers' instance is timed every 5 ms throughout. Run for our SSE
 * path and, as the peer, yoga's own (BENCH_SHARED_SSE=0).
 */
async function burst(ctx: BenchContext, events: number, shared: boolean) {
  const env = { ...ctx.serverEnv('sse-burst'), RATE_LIMIT_SERVICE_PER_MINUTE: '0', BENCH_SHARED_SSE: shared ? '1' : '0' };
  const [reader, writer] = await Promise.all([startChild('bench/fixtures/state-server.ts', env), startChild('bench/fixtures/state-server.ts', env)]);
  try {
    const base = `http://127.0.0.1:${reader.ports[0]}`;
    const streams = Array.from({ length: SUBSCRIBERS }, () => rawSse(base, ROOM_EVENTS));
    await Promise.all(streams.map((s) => s.ready));
    const health = probe(`${base}/health`, 5);
    const began = performance.now();
    const { failed } = await mutationBurst(`ws://127.0.0.1:${writer.ports[0]}/graphql`, PUBLISH, (i) => ({ i }), { count: events, inFlight: 64 });
    if (failed > 0) throw new Error(`${failed} publishes failed`);
    // A stream the server cut off (RATE_LIMITED: it fell too far behind) ends early.
    let ended = 0;
    for (const s of streams) void s.ended.then(() => ended++);
    await until(() => streams.every((s) => s.nexts() >= events) || ended + streams.filter((s) => s.nexts() >= events).length >= streams.length, 120_000, 'every stream done');
    const seconds = (performance.now() - began) / 1000;
    const latency = await health.stop();
    const delivered = streams.reduce((n, s) => n + Math.min(s.nexts(), events), 0);
    for (const s of streams) s.close();
    return { healthMax: latency.max, healthP99: latency.p99, seconds, delivered };
  } finally {
    await Promise.all([reader.stop(), writer.stop()]);
  }
}

export async function sseBurst(ctx: BenchContext): Promise<Record<string, number>> {
  const events = ctx.quick ? 4_000 : 12_000;
  const ours = await burst(ctx, events, true);
  const metrics: Record<string, number> = {
    sse_burst_health_max_ms: ours.healthMax,
    sse_burst_health_p99_ms: ours.healthP99,
    sse_burst_deliveries_per_s: ours.delivered / ours.seconds,
    sse_burst_delivered_share: ours.delivered / (events * SUBSCRIBERS),
  };
  // The peer freezes the instance for seconds; a quick run leaves it out.
  if (!ctx.quick) {
    const yoga = await burst(ctx, events, false);
    Object.assign(metrics, {
      sse_burst_yoga_health_max_ms: yoga.healthMax,
      sse_burst_yoga_deliveries_per_s: yoga.delivered / yoga.seconds,
      sse_burst_yoga_delivered_share: yoga.delivered / (events * SUBSCRIBERS),
    });
  }
  return metrics;
}
