import { Redis } from 'ioredis';
import { closeSockets, graphql, heapOf, openSockets, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

/** Redis bytes per online user (one session, two guilds) and Node heap per idle WebSocket subscriber. */
export async function memory(ctx: BenchContext) {
  await ctx.flushRedis();
  const redis = new Redis(ctx.redisUrl);
  const server = await startChild('bench/fixtures/state-server.ts', ctx.serverEnv('memory'), ['--expose-gc']);
  const [port, side] = server.ports as [number, number];
  const url = `http://127.0.0.1:${port}/graphql`;

  const users = ctx.quick ? 20_000 : 100_000;
  await sleep(200);
  const before = await usedMemory(redis);
  const perNode = 5_000;
  for (let n = 0; n < users / perNode; n++) {
    const sessions = Array.from({ length: perNode }, (_, i) => {
      const id = n * perNode + i;
      return { sessionId: `sess-${id}`, userId: `user-${id}`, guildIds: [`guild-${id % 50}`, `guild-${(id + 7) % 50}`] };
    });
    await graphql(url, 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { opened } }', {
      i: { nodeId: `gw-${n}`, ttlSeconds: 3600, sessions },
    });
  }
  // Redis shrinks idle clients' query buffers (the last sync was ~500 KB) on its cron.
  await sleep(1_500);
  const redis_bytes_per_user = ((await usedMemory(redis)) - before) / users;

  const subscribers = ctx.quick ? 1_000 : 5_000;
  const heapBefore = (await heapOf(side)).heapUsed;
  const sockets = await openSockets(`ws://127.0.0.1:${port}/graphql`, subscribers);
  sockets.forEach((socket, i) =>
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { presenceChanged(userIds: ["idle-${i}"]) { state } }` } })),
  );
  await until(async () => (await heapOf(side)).subscriptions >= subscribers, 60_000, 'idle subscriptions');
  await sleep(500);
  const heap_bytes_per_subscriber = ((await heapOf(side)).heapUsed - heapBefore) / subscribers;
  await closeSockets(sockets);
  await server.stop();
  redis.disconnect();
  return { redis_bytes_per_user, heap_bytes_per_subscriber, redis_users_measured: users, subscribers_measured: subscribers };
}
