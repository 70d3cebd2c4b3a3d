import { describe, expect, it } from 'vitest';
import { clusterNodes, redisUrl, uniquePrefix } from '../utils/engines.js';
import { mutationBurst, probe, rawSse } from '../utils/load.js';
import { useServerProcesses } from '../utils/server-process.js';

const ROOM_EVENTS = 'subscription { roomEvents(roomId: "r1") { type roomId userId alertCount message at } }';
const PUBLISH = 'mutation ($i: Int!) { publishRoomEvent(input: { type: ALERT, roomId: "r1", userId: "u1", alertCount: $i, message: "a short room alert" }) { at } }';

// On one Redis and, through sharded pub/sub, on the Cluster.
const stores: Array<{ name: string; env: Record<string, string> }> = [...(redisUrl ? [{ name: 'redis', env: { REDIS_URL: redisUrl } }] : []), ...(clusterNodes ? [{ name: 'cluster', env: { REDIS_CLUSTER_NODES: clusterNodes } }] : [])];

describe.each(stores)('SSE fan-out keeps the instance responsive ($name)', ({ env: store }) => {
  const { spawnServer } = useServerProcesses();

  // The defect this guards against froze an instance for seconds (yoga's own SSE
  // path: /health waited 311 ms and more, and 99% of the burst never arrived).
  // The 100 ms target is measured by the bench (sse_burst_health_max_ms);
  // here the bound only has to tell a frozen instance from a busy shared VM.
  it('30 SSE subscribers and a burst of 12,000 events through another instance get every event and never hold /health', { timeout: 120_000 }, async () => {
    const env = { ...store, KEY_PREFIX: uniquePrefix(), RATE_LIMIT_SERVICE_PER_MINUTE: '0' };
    const [reader, writer] = await Promise.all([spawnServer(env), spawnServer(env)]);
    const streams = Array.from({ length: 30 }, () => rawSse(reader.base, ROOM_EVENTS));
    await Promise.all(streams.map((s) => s.ready));

    const health = probe(`${reader.base}/health`, 5);
    const burst = await mutationBurst(writer.url.replace('http', 'ws'), PUBLISH, (i) => ({ i }), { count: 12_000, inFlight: 64 });
    expect(burst.failed).toBe(0);
    const deadline = Date.now() + 30_000;
    while (streams.some((s) => s.nexts() < 12_000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const latency = await health.stop();

    expect(streams.map((s) => s.nexts())).toEqual(streams.map(() => 12_000));
    expect(latency.count).toBeGreaterThan(20);
    expect(latency.max).toBeLessThan(250);
    for (const s of streams) s.close();
  });
});
