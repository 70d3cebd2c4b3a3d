import { closeSockets, graphql, heapOf, openSockets, percentile, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

/** Mutation on instance A → event on instance B at a steady 1,000 events/s; connectionStates of 1,000 users. */
export async function latency(ctx: BenchContext) {
  // Both instances share one prefix: they are one service.
  const env = ctx.serverEnv('latency');
  const a = await startChild('bench/fixtures/state-server.ts', env);
  const b = await startChild('bench/fixtures/state-server.ts', env);
  const urlA = `http://127.0.0.1:${a.ports[0]}/graphql`;
  const [socket] = await openSockets(`ws://127.0.0.1:${b.ports[0]}/graphql`, 1);
  socket!.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { presenceChanged(guildId: "gx") { userId } }' } }));
  await until(async () => (await heapOf(b.ports[1]!)).subscriptions >= 1, 10_000, 'subscription on B');

  const sent = new Map<string, number>();
  const latencies: number[] = [];
  socket!.on('message', (data) => {
    const userId = JSON.parse(String(data)).payload?.data?.presenceChanged?.userId as string | undefined;
    const t0 = userId === undefined ? undefined : sent.get(userId);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
  });
  // Warm up (V8 tiers, compiled queries, connection pools) at a gentle rate first.
  for (let i = 0; i < 200; i++) {
    await graphql(urlA, 'mutation($s: ID!, $u: ID!) { connectSession(input: { sessionId: $s, userId: $u, guildIds: ["gw"] }) { changed } }', {
      s: `warm${i}`,
      u: `warm${i}`,
    });
    await sleep(5);
  }
  const total = ctx.seconds * 1000;
  const began = performance.now();
  const requests: Array<Promise<unknown>> = [];
  const send = (i: number) => {
    const userId = `x${i}`;
    sent.set(userId, performance.now());
    requests.push(
      graphql(urlA, 'mutation($s: ID!, $u: ID!) { connectSession(input: { sessionId: $s, userId: $u, guildIds: ["gx"] }) { changed } }', {
        s: `xs${i}`,
        u: userId,
      }),
    );
  };
  // 1,000 a second, a few every 5 ms: the timer yields between sends so
  // this process keeps reading answers and events as they come.
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(performance.now() - began));
      while (next < due) send(next++);
      if (next >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await Promise.all(requests);
  await until(() => latencies.length >= total, 10_000, 'every event on B');
  const cross_instance_p99_ms = percentile(latencies, 99);
  const cross_instance_p50_ms = percentile(latencies, 50);
  await closeSockets([socket!]);

  // connectionStates of 1,000 users, half of them online.
  const ids = Array.from({ length: 1000 }, (_, i) => `cs${i}`);
  await graphql(urlA, 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { opened } }', {
    i: { nodeId: 'bench-node', ttlSeconds: 3600, sessions: ids.slice(0, 500).map((userId) => ({ sessionId: `s-${userId}`, userId, guildIds: ['g1', 'g2'] })) },
  });
  const query = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state sessionCount lastSeenAt } }';
  const times: number[] = [];
  for (let i = 0; i < (ctx.quick ? 100 : 400); i++) {
    const t0 = performance.now();
    const data = await graphql(urlA, query, { u: ids });
    times.push(performance.now() - t0);
    if (data.connectionStates.length !== 1000) throw new Error('short answer');
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
