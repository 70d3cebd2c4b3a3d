import { closeSockets, heapOf, openPlainSocket, openSockets, operationFrame, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';
import type WebSocket from 'ws';

const SUBSCRIBE = JSON.stringify({
  id: '1',
  type: 'subscribe',
  payload: { query: 'subscription { presenceChanged(guildId: "gf") { userId state guildIds at } }' },
});
const CONNECT = operationFrame('mutation($s: ID!) { connectSession(input: { sessionId: $s, userId: "fan", guildIds: ["gf"] }) { changed } }');
const DISCONNECT = operationFrame('mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }');
/**
 * Event mutations kept unanswered at a time. A producer that waits for each
 * answer measures its own round trip through this busy process (it reads
 * every delivery too) and leaves the server idle meanwhile; the raw baseline
 * sends as fast as it can. The one-in-flight number is reported for scale.
 */
const IN_FLIGHT = 4;

/** Counts `next` messages on every socket; `expect(n)` resolves with the seconds until n more arrived. */
function deliveryCounter(sockets: WebSocket[]) {
  let received = 0;
  let expected = 0;
  let began = 0;
  let resolve = (_seconds: number) => {};
  for (const socket of sockets) {
    socket.on('message', (data: Buffer) => {
      // Count without parsing: the same cheap check for both servers.
      if (data.length > 20 && data.includes('"next"') && ++received === expected) resolve((performance.now() - began) / 1000);
    });
  }
  return (count: number) =>
    new Promise<number>((r) => {
      resolve = r;
      received = 0;
      expected = count;
      began = performance.now();
    });
}

/**
 * The event stream: `events` presence changes of one user (connect, then
 * disconnect, in turn; `events` is even, so the user ends offline), sent as
 * graphql-ws operations over one socket, `inFlight` of them unanswered at a
 * time. One socket keeps them in order. Rejects on the first error.
 */
function sendEvents(sender: WebSocket, events: number, inFlight: number, run: string) {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const sendNext = () => {
      if (sent >= events) return;
      const i = sent++;
      const [frame, session] = i % 2 === 0 ? [CONNECT, `${run}${i}`] : [DISCONNECT, `${run}${i - 1}`];
      sender.send(frame(`${run}${i}`, `{"s":"${session}"}`));
    };
    const onMessage = (data: Buffer) => {
      const text = String(data);
      // A `next` with errors, or an `error` message.
      if (/"errors?"/.test(text)) {
        sender.off('message', onMessage);
        reject(new Error(`event mutation failed: ${text}`));
      } else if (text.includes('"complete"')) {
        if (++answered === events) {
          sender.off('message', onMessage);
          resolve();
        } else sendNext();
      }
    };
    sender.on('message', onMessage);
    for (let i = 0; i < inFlight; i++) sendNext();
  });
}

/** Deliveries per second to `subscribers` sockets of one server, for each producer depth in `inFlights`. */
async function ours(ctx: BenchContext, subscribers: number, events: number, inFlights: number[]) {
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('fanout'));
  const [port, side] = server.ports as [number, number];
  const sockets = await openSockets(`ws://127.0.0.1:${port}/graphql`, subscribers);
  for (const socket of sockets) socket.send(SUBSCRIBE);
  await until(async () => (await heapOf(side)).subscriptions >= subscribers, 30_000, 'subscriptions');
  const [sender] = await openSockets(`ws://127.0.0.1:${port}/graphql`, 1);
  const measure = deliveryCounter(sockets);
  const rates: number[] = [];
  try {
    for (const [run, inFlight] of inFlights.entries()) {
      const delivered = measure(subscribers * events);
      await sendEvents(sender!, events, inFlight, `r${run}f`);
      rates.push((subscribers * events) / (await delivered));
    }
  } finally {
    await closeSockets([...sockets, sender!]);
    await server.stop();
  }
  return rates;
}

async function raw(subscribers: number, events: number) {
  const server = await startChild('bench/fixtures/raw-ws.ts');
  const sockets = await openSockets(`ws://127.0.0.1:${server.ports[0]}/`, subscribers, openPlainSocket);
  const delivered = deliveryCounter(sockets)(subscribers * events);
  sockets[0]!.send(`go ${events}`);
  const seconds = await delivered;
  await closeSockets(sockets);
  await server.stop();
  return (subscribers * events) / seconds;
}

/** One event stream to many presenceChanged subscribers, against one pre-serialized message sent with ws. */
export async function fanout(ctx: BenchContext) {
  const events = ctx.quick ? 40 : 150;
  const results: Record<string, number> = {};
  for (const subscribers of [1000, 3000]) {
    const n = 2 * Math.round((events * 500) / subscribers);
    const [pipelined, oneInFlight] = await ours(ctx, subscribers, n, subscribers === 3000 ? [IN_FLIGHT, 1] : [IN_FLIGHT]);
    results[`fanout_${subscribers}_deliveries_per_s`] = pipelined!;
    if (oneInFlight !== undefined) results[`fanout_${subscribers}_one_in_flight_deliveries_per_s`] = oneInFlight;
    results[`baseline_raw_ws_${subscribers}_deliveries_per_s`] = await raw(subscribers, n);
  }
  return results;
}
