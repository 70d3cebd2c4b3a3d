import { spawn } from 'node:child_process';
import { probe } from '../../test/utils/load.js';
import { heapOf, openSocket, operationFrame, percentile, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const QUERY = 'subscription { presenceChanged(guildId: "go") { userId state guildIds at } }';
const CONNECT = operationFrame('mutation($s: ID!) { connectSession(input: { sessionId: $s, userId: "loud", guildIds: ["go"] }) { changed } }');
const DISCONNECT = operationFrame('mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }');
const SUBSCRIBERS = { sockets: 60, perSocket: 50 };
// About twice what one instance delivers to 3,000 sockets on this machine (the hostile run offered 200/s on a slower day).
const EVENTS_PER_S = 400;

/** The swarm of subscribers, in its own process; `stop` resolves with what it counted. */
async function swarm(wsUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fixtures/subscriber-swarm.ts'], {
    env: { ...process.env, WS_URL: wsUrl, SOCKETS: String(SUBSCRIBERS.sockets), PER_SOCKET: String(SUBSCRIBERS.perSocket), QUERY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  await until(() => out.includes('READY'), 60_000, 'the subscriber swarm');
  return {
    async stop(): Promise<{ nexts: number; cut: number }> {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(/REPORT (.*)/.exec(out)![1]!) as { nexts: number; cut: number };
    },
  };
}

/**
 * The hostile run's overload: 3,000 subscribers of one guild on one
 * instance, offered 400 presence events a second (about twice what one
 * instance delivers here), the events sent as mutations to that same
 * instance. Subscribers that are cut off subscribe again a second later.
 * Measured from a separate process: each mutation's answer time, the delivery
 * lag seen by the oldest subscriber, /health, and how many subscriptions the
 * server shed.
 */
export async function overload(ctx: BenchContext): Promise<Record<string, number>> {
  const seconds = ctx.quick ? 5 : 15;
  const server = await startChild('bench/fixtures/state-server.ts', { ...ctx.serverEnv('overload'), RATE_LIMIT_SERVICE_PER_MINUTE: '0' });
  const wsUrl = `ws://127.0.0.1:${server.ports[0]}/graphql`;
  const side = server.ports[1]!;
  try {
    // The oldest subscriber: the one the shedding keeps; it parses every event for the lag.
    const watcher = await openSocket(wsUrl);
    const lags: number[] = [];
    watcher.on('message', (data: Buffer) => {
      const text = String(data);
      if (text.includes('"next"')) lags.push(Date.now() - Date.parse(JSON.parse(text).payload.data.presenceChanged.at));
    });
    watcher.send(JSON.stringify({ id: 'w', type: 'subscribe', payload: { query: QUERY } }));
    const subscribers = await swarm(wsUrl);
    const total = 1 + SUBSCRIBERS.sockets * SUBSCRIBERS.perSocket;
    await until(async () => (await heapOf(side)).subscriptions >= total, 60_000, 'every subscription');

    const producer = await openSocket(wsUrl);
    const sentAt = new Map<string, number>();
    const answers: number[] = [];
    let refused = 0;
    producer.on('message', (data: Buffer) => {
      const text = String(data);
      const done = text.includes('"complete"');
      // An `error` frame: refused (a socket allows MAX_SUBSCRIPTIONS_PER_SOCKET operations in flight).
      if (!done && !text.includes('"type":"error"')) return;
      if (!done) refused++;
      const id = /"id":"([^"]+)"/.exec(text)![1]!;
      answers.push(performance.now() - sentAt.get(id)!);
      sentAt.delete(id);
    });
    const health = probe(`http://127.0.0.1:${server.ports[0]}/health`, 20);
    const count = seconds * EVENTS_PER_S;
    const began = performance.now();
    for (let i = 0; i < count; i++) {
      // Open loop: each event at its time, whatever the server answers.
      const due = began + (i * 1000) / EVENTS_PER_S;
      if (due > performance.now()) await sleep(due - performance.now());
      const id = `o${i}`;
      sentAt.set(id, performance.now());
      producer.send(i % 2 === 0 ? CONNECT(id, `{"s":"s${i}"}`) : DISCONNECT(id, `{"s":"s${i - 1}"}`));
    }
    await until(() => sentAt.size === 0, 60_000, 'every mutation answered');
    const latency = await health.stop();
    const { rss } = await heapOf(side);
    const counted = await subscribers.stop();
    watcher.close();
    producer.close();
    return {
      overload_offered_deliveries_per_s: EVENTS_PER_S * total,
      overload_mutation_p50_ms: percentile(answers, 50),
      overload_mutation_p99_ms: percentile(answers, 99),
      overload_mutations_refused: refused,
      overload_delivery_lag_p50_ms: percentile(lags, 50),
      overload_delivery_lag_max_ms: Math.max(...lags),
      overload_health_max_ms: latency.max,
      overload_subscriptions_cut: counted.cut,
      overload_delivered_per_s: counted.nexts / seconds,
      overload_rss_mb: rss / (1024 * 1024),
    };
  } finally {
    await server.stop();
  }
}
