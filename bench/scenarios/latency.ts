import { closeSockets, graphql, heapOf, openSockets, operationFrame, percentile, rawPoster, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const CONNECT = 'mutation($s: ID!, $u: ID!, $g: ID!) { connectSession(input: { sessionId: $s, userId: $u, guildIds: [$g] }) { changed } }';

/** Mutation on instance A → event on instance B at a steady 1,000 events/s; connectionStates of 1,000 users. */
export async function latency(ctx: BenchContext) {
  // Both instances share one prefix: they are one service.
  const env = ctx.serverEnv('latency');
  const a = await startChild('bench/fixtures/state-server.ts', env, ['--expose-gc']);
  const b = await startChild('bench/fixtures/state-server.ts', env);
  const urlA = `http://127.0.0.1:${a.ports[0]}/graphql`;
  const [socket] = await openSockets(`ws://127.0.0.1:${b.ports[0]}/graphql`, 1);
  socket!.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { presenceChanged(guildId: "gx") { userId } }' } }));
  await until(async () => (await heapOf(b.ports[1]!)).subscriptions >= 1, 10_000, 'subscription on B');

  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let warmed = 0;
  socket!.on('message', (data) => {
    const userId = JSON.parse(String(data)).payload?.data?.presenceChanged?.userId as string | undefined;
    const t0 = userId === undefined ? undefined : sent.get(userId);
    if (t0 === undefined) return;
    if (userId!.startsWith('w')) warmed++;
    else latencies.push(performance.now() - t0);
  });
  // Mutations go to A as graphql-ws operations: sending costs this process
  // little, so its own event loop adds little to what is measured.
  const senders = await openSockets(`ws://127.0.0.1:${a.ports[0]}/graphql`, 4);
  const connect = operationFrame(CONNECT);
  const send = (i: number, prefix: string, guildId: string) => {
    const userId = `${prefix}${i}`;
    sent.set(userId, performance.now());
    senders[i % senders.length]!.send(connect(userId, `{"s":"s${userId}","u":"${userId}","g":"${guildId}"}`));
  };
  // Warm up both ends (V8 tiers, compiled queries, B's delivery path and
  // the first growth of each heap) at a gentle rate first: events B delivers
  // but this process leaves out of the latencies.
  for (let i = 0; i < 2000; i++) {
    send(i, 'w', 'gx');
    if (i % 5 === 4) await sleep(10);
  }
  await until(() => warmed >= 2000, 10_000, 'the warm-up events on B');
  const total = ctx.seconds * 1000;
  // 1,000 a second, a few every 5 ms: the timer yields between sends so
  // this process keeps reading events as they come.
  const began = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(performance.now() - began));
      while (next < due) send(next++, 'x', 'gx');
      if (next >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await until(() => latencies.length >= total, 10_000, 'every event on B');
  const cross_instance_p99_ms = percentile(latencies, 99);
  const cross_instance_p50_ms = percentile(latencies, 50);
  await closeSockets([socket!, ...senders]);

  // connectionStates of 1,000 users, half of them online.
  const ids = Array.from({ length: 1000 }, (_, i) => `cs${i}`);
  await graphql(urlA, 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { opened } }', {
    i: { nodeId: 'bench-node', ttlSeconds: 3600, sessions: ids.slice(0, 500).map((userId) => ({ sessionId: `s-${userId}`, userId, guildIds: ['g1', 'g2'] })) },
  });
  const query = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state sessionCount lastSeenAt } }';
  // Timed to the answer's last byte, over one kept-alive connection; each
  // answer is checked after its time is taken.
  // The first calls parse, validate and compile the query, and V8 has yet
  // to optimise the path: they are warm-up, as in the cross-instance part.
  // Timed from a collected heap: the garbage of the first part (10,000
  // mutations) is that part's cost, not this query's.
  await heapOf(a.ports[1]!);
  const post = rawPoster(urlA);
  for (let i = 0; i < 20; i++) await post(query, { u: ids });
  const times: number[] = [];
  for (let i = 0; i < (ctx.quick ? 100 : 400); i++) {
    const t0 = performance.now();
    const text = await post(query, { u: ids });
    times.push(performance.now() - t0);
    const answer = JSON.parse(text) as { data?: { connectionStates: unknown[] } };
    if (answer.data?.connectionStates.length !== 1000) throw new Error(`short answer: ${text.slice(0, 200)}`);
  }
  await a.stop();
  await b.stop();
  return {
    cross_instance_p50_ms,
    cross_instance_p99_ms,
    connection_states_1000_p50_ms: percentile(times, 50),
    connection_states_1000_p99_ms: percentile(times, 99),
  };
}
