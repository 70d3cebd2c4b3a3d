import autocannon from 'autocannon';
import { redisCpuSeconds, startChild } from '../lib.js';
import type { BenchContext } from '../run.js';

const CONNECT = 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }';
const ROUNDS = 3;

/** Fresh connects (two guilds each) over HTTP, 50 connections: requests/s, p99 and Redis CPU per connect. */
async function hammer(url: string, seconds: number, redisUrl: string, tag: string) {
  let next = 0;
  const cpu0 = await redisCpuSeconds(redisUrl);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 50,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const s = `${tag}-${next++}`;
          return { ...req, body: JSON.stringify({ query: CONNECT, variables: { i: { sessionId: s, userId: `u-${s}`, guildIds: ['g1', 'g2'] } } }) };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuUs = ((await redisCpuSeconds(redisUrl)) - cpu0) * 1e6;
  return { rps: result.requests.total / (result.duration || 1), p99: result.latency.p99, cpuUsPerConnect: cpuUs / result.requests.total };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * state-server's connectSession against the peers of bench/peers/ (the same
 * mutation, the same minimal script for every peer), in interleaved rounds
 * so a slow minute of the machine hits them all alike.
 */
export async function peers(ctx: BenchContext) {
  const seconds = ctx.quick ? 2 : 5;
  const peerEnv = (name: string) => ({ REDIS_URL: ctx.redisUrl, KEY_PREFIX: `bench:peer:${name}:` });
  const servers = {
    state_server: await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('peers')),
    raw: await startChild('bench/peers/raw-http.ts', peerEnv('raw')),
    mercurius: await startChild('bench/peers/mercurius.ts', peerEnv('mercurius')),
    yoga: await startChild('bench/peers/yoga-pothos.ts', peerEnv('yoga')),
  };
  const runs: Record<string, Array<Awaited<ReturnType<typeof hammer>>>> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, server] of Object.entries(servers)) {
        (runs[name] ??= []).push(await hammer(`http://127.0.0.1:${server.ports[0]}/graphql`, seconds, ctx.redisUrl, `${name}${round}`));
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const out: Record<string, number> = {};
  for (const [name, list] of Object.entries(runs)) {
    out[`peer_${name}_connect_rps`] = median(list.map((r) => r.rps));
    out[`peer_${name}_connect_p99_ms`] = median(list.map((r) => r.p99));
    out[`peer_${name}_redis_cpu_us_per_connect`] = median(list.map((r) => r.cpuUsPerConnect));
  }
  return out;
}
