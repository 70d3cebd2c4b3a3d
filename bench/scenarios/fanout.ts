import { closeSockets, heapOf, openPlainSocket, openSockets, operationFrame, percentile, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';
import type WebSocket from 'ws';

const SUBSCRIBE = (id: string) =>
  JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { presenceChanged(guildId: "gf") { userId state guildIds at } }' } });
const CONNECT = operationFrame('mutation($s: ID!) { connectSession(input: { sessionId: $s, userId: "fan", guildIds: ["gf"] }) { changed } }');
const DISCONNECT = operationFrame('mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }');
/**
 * Event mutations kept unanswered at a time. A producer that waits for each
 * answer measures its own round trip through this busy process (it reads
 * every delivery too) and leaves the server idle meanwhile; the raw baseline
 * sends as fast as it can. The one-in-flight number is reported for scale.
 */
const IN_FLIGHT = 4;

/**
 * Counts `next` messages on every socket; `expect(n)` resolves with the
 * seconds until n more arrived, and each one's ms since the call (`latencies`).
 */
function deliveryCounter(sockets: WebSocket[]) {
  let received = 0;
  let expected = 0;
  let began = 0;
  let latencies: number[] | null = null;
  let resolve = (_seconds: number) => {};
  for (const socket of sockets) {
    socket.on('message', (data: Buffer) => {
      // Count without parsing: the same cheap check for both servers.
      if (data.length <= 20 || !data.includes('"next"')) return;
      latencies?.push(performance.now() - began);
      if (++received === expected) resolve((performance.now() - began) / 1000);
    });
  }
  return (count: number, keep: number[] | null = null) =>
    new Promise<number>((r) => {
      resolve = r;
      received = 0;
      expected = count;
      latencies = keep;
      began = performance.now();
    });
}

/** `subscribers` subscriptions spread evenly over `sockets`: each socket's share and the ids it subscribes with. */
const spread = (subscribers: number, sockets: number) => Array.from({ length: subscribers / sockets }, (_, k) => `s${k}`);

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

/** Our server with `subscribers` presenceChanged subscriptions over `sockets` sockets, and a producer socket. */
async function oursOpen(ctx: BenchContext, subscribers: number, sockets: number) {
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('fanout'));
  const [port, side] = server.ports as [number, number];
  const subscriberSockets = await openSockets(`ws://127.0.0.1:${port}/graphql`, sockets);
  for (const socket of subscriberSockets) for (const id of spread(subscribers, sockets)) socket.send(SUBSCRIBE(id));
  await until(async () => (await heapOf(side)).subscriptions >= subscribers, 30_000, 'subscriptions');
  const [sender] = await openSockets(`ws://127.0.0.1:${port}/graphql`, 1);
  const close = async () => {
    await closeSockets([...subscriberSockets, sender!]);
    await server.stop();
  };
  return { measure: deliveryCounter(subscriberSockets), sender: sender!, close };
}

/** Deliveries per second to `subscribers` subscriptions of one server, for each producer depth in `inFlights`. */
async function ours(ctx: BenchContext, subscribers: number, sockets: number, events: number, inFlights: number[]) {
  const { measure, sender, close } = await oursOpen(ctx, subscribers, sockets);
  const rates: number[] = [];
  try {
    for (const [run, inFlight] of inFlights.entries()) {
      const delivered = measure(subscribers * events);
      await sendEvents(sender, events, inFlight, `r${run}f`);
      rates.push((subscribers * events) / (await delivered));
    }
  } finally {
    await close();
  }
  return rates;
}

async function rawOpen(subscribers: number, sockets: number) {
  const server = await startChild('bench/fixtures/raw-ws.ts');
  const opened = await openSockets(`ws://127.0.0.1:${server.ports[0]}/`, sockets, openPlainSocket);
  const close = async () => {
    await closeSockets(opened);
    await server.stop();
  };
  return { measure: deliveryCounter(opened), go: (events: number) => opened[0]!.send(`go ${events} ${subscribers / sockets}`), close };
}

async function raw(subscribers: number, sockets: number, events: number) {
  const { measure, go, close } = await rawOpen(subscribers, sockets);
  const delivered = measure(subscribers * events);
  go(events);
  const seconds = await delivered;
  await close();
  return (subscribers * events) / seconds;
}

/**
 * Delivery latency at one event a second: from the producer's send (our
 * mutation; the raw server's `go`) to each subscriber's frame, both measured
 * in this process. `events` rounds; p50 and p99 over every delivery.
 */
async function latencyOf(open: () => Promise<{ measure: ReturnType<typeof deliveryCounter>; send: (i: number) => void; close: () => Promise<void> }>, subscribers: number, events: number) {
  const { measure, send, close } = await open();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < events; i++) {
      const delivered = measure(subscribers, latencies);
      send(i);
      await delivered;
      await sleep(1_000);
    }
  } finally {
    await close();
  }
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** One event stream to many presenceChanged subscribers, against one pre-serialized message per subscriber sent with ws. */
export async function fanout(ctx: BenchContext) {
  const events = ctx.quick ? 40 : 150;
  const results: Record<string, number> = {};
  // One subscription a socket (1,000 and 3,000 sockets), then 3,000 on 60 sockets (50 each: a front end's tabs, a gateway's users).
  for (const [subscribers, sockets] of [
    [1000, 1000],
    [3000, 3000],
    [3000, 60],
  ] as const) {
    const name = sockets === subscribers ? `${subscribers}` : `${subscribers}_on_${sockets}`;
    const n = 2 * Math.round((events * 500) / subscribers);
    const depths = subscribers === 3000 && sockets === 3000 ? [IN_FLIGHT, 1] : [IN_FLIGHT];
    const [pipelined, oneInFlight] = await ours(ctx, subscribers, sockets, n, depths);
    results[`fanout_${name}_deliveries_per_s`] = pipelined!;
    if (oneInFlight !== undefined) results[`fanout_${name}_one_in_flight_deliveries_per_s`] = oneInFlight;
    results[`baseline_raw_ws_${name}_deliveries_per_s`] = await raw(subscribers, sockets, n);
  }
  const ticks = ctx.quick ? 4 : 10;
  const mine = await latencyOf(async () => {
    const { measure, sender, close } = await oursOpen(ctx, 3000, 60);
    // Connect then disconnect in turn: every event is a transition.
    return { measure, close, send: (i) => sender.send((i % 2 ? DISCONNECT : CONNECT)(`t${i}`, `{"s":"tick${i - (i % 2)}"}`)) };
  }, 3000, ticks);
  const theirs = await latencyOf(async () => {
    const { measure, go, close } = await rawOpen(3000, 60);
    return { measure, close, send: () => go(1) };
  }, 3000, ticks);
  results.fanout_3000_on_60_delivery_p50_ms = mine.p50;
  results.fanout_3000_on_60_delivery_p99_ms = mine.p99;
  results.baseline_raw_ws_3000_on_60_delivery_p50_ms = theirs.p50;
  results.baseline_raw_ws_3000_on_60_delivery_p99_ms = theirs.p99;
  return results;
}
