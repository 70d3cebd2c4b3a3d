import { loadTest, openSockets, closeSockets, operationFrame, redisCpuSeconds, startChild } from '../lib.js';
import type { BenchContext } from '../run.js';

const CONNECT = 'mutation($s: ID!, $u: ID!) { connectSession(input: { sessionId: $s, userId: $u, guildIds: ["g1", "g2"] }) { changed } }';
const DISCONNECT = 'mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }';
const CONNECTS = 'mutation($i: [ConnectSessionInput!]!) { connectSessions(inputs: $i) { result { changed } error { code } } }';
const DISCONNECTS = 'mutation($s: [ID!]!) { disconnectSessions(sessionIds: $s) { result { changed } error { code } } }';
const BATCH = 1_000;

/**
 * Batch ingest as a gateway's scheduler sends it: connectSessions of 1,000
 * fresh sessions, then disconnectSessions of the same, four calls in flight.
 * Items per second, comparable with ingest_http_rps (one item per request).
 */
async function batchIngest(url: string, seconds: number) {
  let items = 0;
  let next = 0;
  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: Record<string, Array<{ error: unknown }>>; errors?: unknown };
    if (body.errors || Object.values(body.data ?? {})[0]?.some((item) => item.error)) throw new Error(`batch failed: ${JSON.stringify(body).slice(0, 300)}`);
  };
  const until = Date.now() + seconds * 1000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < until) {
        const ids = Array.from({ length: BATCH }, () => `b${next++}`);
        await post(CONNECTS, { i: ids.map((s) => ({ sessionId: s, userId: `u-${s}`, guildIds: ['g1', 'g2'] })) });
        await post(DISCONNECTS, { s: ids });
        items += 2 * BATCH;
      }
    }),
  );
  return items / ((performance.now() - began) / 1000);
}

/** connectSession + disconnectSession pairs over HTTP, and the same as graphql-ws operations. */
export async function ingest(ctx: BenchContext) {
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('ingest'));
  const [port] = server.ports;
  let next = 0;
  const cpu0 = await redisCpuSeconds(ctx.redisUrl);
  const ingest_http_rps = await loadTest({
    url: `http://127.0.0.1:${port}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    duration: ctx.seconds,
    requests: [
      {
        setupRequest: (req, context) => {
          const c = context as { sid: string };
          c.sid = `h${next++}`;
          return { ...req, body: JSON.stringify({ query: CONNECT, variables: { s: c.sid, u: `u-${c.sid}` } }) };
        },
      },
      {
        setupRequest: (req, context) => ({
          ...req,
          body: JSON.stringify({ query: DISCONNECT, variables: { s: (context as { sid: string }).sid } }),
        }),
      },
    ],
  });

  const ingest_http_redis_cpu_us_per_op = ((await redisCpuSeconds(ctx.redisUrl)) - cpu0) * 1e6 / (ingest_http_rps * ctx.seconds);

  const cpu1 = await redisCpuSeconds(ctx.redisUrl);
  const t1 = performance.now();
  const batch_ingest_items_per_s = await batchIngest(`http://127.0.0.1:${port}/graphql`, ctx.seconds);
  const batch_ingest_redis_cpu_us_per_item = ((await redisCpuSeconds(ctx.redisUrl)) - cpu1) * 1e6 / (batch_ingest_items_per_s * ((performance.now() - t1) / 1000));

  // WebSocket: 20 sockets, 10 operations in flight on each. The client
  // costs as little as it can (it shares the machine with what it
  // measures): frames are written from templates and a `complete` is
  // found, and its id read, in the bytes without parsing them.
  const sockets = await openSockets(`ws://127.0.0.1:${port}/graphql`, 20);
  const connect = operationFrame(CONNECT);
  const disconnect = operationFrame(DISCONNECT);
  const COMPLETE = Buffer.from('"type":"complete"');
  const QUOTE = 0x22;
  let done = 0;
  let id = 0;
  const until = Date.now() + ctx.seconds * 1000;
  const began = Date.now();
  await Promise.all(
    sockets.flatMap((socket) => {
      const waiting = new Map<string, () => void>();
      socket.on('message', (data: Buffer) => {
        if (data.indexOf(COMPLETE) === -1) return;
        // {"id":"<id>","type":"complete"}: our ids are digits.
        const start = data.indexOf(QUOTE, 5) + 1;
        const opId = data.toString('latin1', start, data.indexOf(QUOTE, start));
        waiting.get(opId)?.();
        waiting.delete(opId);
      });
      const send = (build: typeof connect, variables: string) =>
        new Promise<void>((resolve) => {
          const opId = String(id++);
          waiting.set(opId, resolve);
          socket.send(build(opId, variables));
        });
      return Array.from({ length: 10 }, async () => {
        while (Date.now() < until) {
          const sid = `w${id}`;
          await send(connect, `{"s":"${sid}","u":"u-${sid}"}`);
          await send(disconnect, `{"s":"${sid}"}`);
          done += 2;
        }
      });
    }),
  );
  const ingest_ws_rps = done / ((Date.now() - began) / 1000);
  await closeSockets(sockets);
  await server.stop();
  return { ingest_http_rps, ingest_ws_rps, ingest_http_redis_cpu_us_per_op, batch_ingest_items_per_s, batch_ingest_redis_cpu_us_per_item };
}
