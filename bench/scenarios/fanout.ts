import { closeSockets, graphql, heapOf, openPlainSocket, openSockets, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';
import type WebSocket from 'ws';

const SUBSCRIBE = JSON.stringify({
  id: '1',
  type: 'subscribe',
  payload: { query: 'subscription { presenceChanged(guildId: "gf") { userId state guildIds at } }' },
});

/** Counts `next` messages on every socket until `expected` arrived; resolves with the seconds it took from `start`. */
function countDeliveries(sockets: WebSocket[], expected: number) {
  let received = 0;
  let start = 0;
  const done = new Promise<number>((resolve) => {
    for (const socket of sockets) {
      socket.on('message', (data: Buffer) => {
        // Count without parsing: the same cheap check for both servers.
        if (data.length > 20 && data.includes('"next"')) {
          received += 1;
          if (received === expected) resolve((performance.now() - start) / 1000);
        }
      });
    }
  });
  return { begin: () => (start = performance.now()), done, received: () => received };
}

async function ours(ctx: BenchContext, subscribers: number, events: number) {
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('fanout'));
  const [port, side] = server.ports as [number, number];
  const sockets = await openSockets(`ws://127.0.0.1:${port}/graphql`, subscribers);
  for (const socket of sockets) socket.send(SUBSCRIBE);
  await until(async () => (await heapOf(side)).subscriptions >= subscribers, 30_000, 'subscriptions');
  const counter = countDeliveries(sockets, subscribers * events);
  const url = `http://127.0.0.1:${port}/graphql`;
  counter.begin();
  // Each connect or disconnect of the user is one presence event for the guild.
  for (let i = 0; i < events; i++) {
    await (i % 2 === 0
      ? graphql(url, 'mutation($s: ID!) { connectSession(input: { sessionId: $s, userId: "fan", guildIds: ["gf"] }) { changed } }', { s: `f${i}` })
      : graphql(url, 'mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }', { s: `f${i - 1}` }));
  }
  const seconds = await counter.done;
  await closeSockets(sockets);
  await server.stop();
  return (subscribers * events) / seconds;
}

async function raw(subscribers: number, events: number) {
  const server = await startChild('bench/fixtures/raw-ws.ts');
  const sockets = await openSockets(`ws://127.0.0.1:${server.ports[0]}/`, subscribers, openPlainSocket);
  const counter = countDeliveries(sockets, subscribers * events);
  counter.begin();
  sockets[0]!.send(`go ${events}`);
  const seconds = await counter.done;
  await closeSockets(sockets);
  await server.stop();
  return (subscribers * events) / seconds;
}

/** One event stream to many presenceChanged subscribers, against one pre-serialized message sent with ws. */
export async function fanout(ctx: BenchContext) {
  const events = ctx.quick ? 40 : 150;
  const results: Record<string, number> = {};
  for (const subscribers of [1000, 3000]) {
    const n = Math.round((events * 1000) / subscribers);
    results[`fanout_${subscribers}_deliveries_per_s`] = await ours(ctx, subscribers, n);
    results[`baseline_raw_ws_${subscribers}_deliveries_per_s`] = await raw(subscribers, n);
  }
  return results;
}
