import { mutationBurst, rawSse } from '../../test/utils/load.js';
import { heapOf, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const PER_ROUND = 300;
const ROOMS = 30;
const EVENTS_PER_ROOM = 10;
const PUBLISH = 'mutation ($r: ID!, $i: Int!) { publishRoomEvent(input: { type: ALERT, roomId: $r, userId: "u1", alertCount: $i, message: "soak" }) { at } }';
const MB = 1024 * 1024;

/**
 * SSE connection churn: each round opens 300 SSE subscriptions (10 to each
 * of 30 rooms), publishes 10 events to every room, waits until every stream
 * has them, drops every connection and waits until the server has released
 * them; then the server's heap (after a full collection) and resident set
 * are read. The hostile run saw RSS climb
 * 170 → 305 MB in 3 rounds; this tells whether it levels off (the
 * allocator keeping pages) or keeps growing (a leak).
 */
export async function sseSoak(ctx: BenchContext): Promise<Record<string, number>> {
  const rounds = ctx.quick ? 6 : 40;
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('sse-soak'), ['--expose-gc']);
  try {
    const base = `http://127.0.0.1:${server.ports[0]}`;
    const side = server.ports[1]!;
    const before = await heapOf(side);
    const rss: number[] = [];
    const heap: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const streams = Array.from({ length: PER_ROUND }, (_, i) => rawSse(base, `subscription { roomEvents(roomId: "soak${i % ROOMS}") { type alertCount at } }`));
      await Promise.all(streams.map((s) => s.ready));
      const events = ROOMS * EVENTS_PER_ROOM;
      await mutationBurst(`ws://127.0.0.1:${server.ports[0]}/graphql`, PUBLISH, (i) => ({ r: `soak${i % ROOMS}`, i }), { count: events, inFlight: 16 });
      await until(() => streams.every((s) => s.nexts() >= EVENTS_PER_ROOM), 10_000, 'every event on every stream');
      for (const s of streams) s.close();
      await until(async () => (await heapOf(side)).subscriptions === 0, 10_000, 'every subscription released');
      const after = await heapOf(side);
      rss.push(after.rss / MB);
      heap.push(after.heapUsed / MB);
    }
    ctx.series('sse_soak_rss_mb', rss);
    ctx.series('sse_soak_heap_mb', heap);
    const half = rss.length >> 1;
    return {
      sse_soak_rounds: rounds,
      sse_soak_rss_start_mb: before.rss / MB,
      sse_soak_rss_end_mb: rss.at(-1)!,
      // A plateau: what the second half of the rounds added (the first half warms caches up).
      sse_soak_rss_growth_second_half_mb: rss.at(-1)! - rss[half - 1]!,
      sse_soak_heap_growth_second_half_mb: heap.at(-1)! - heap[half - 1]!,
    };
  } finally {
    await server.stop();
  }
}
