import { Redis } from 'ioredis';
import { closeSockets, graphql, heapOf, openSockets, sleep, startChild, until } from '../lib.js';
import type { BenchContext } from '../run.js';

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

/**
 * Redis bytes per online user (one session with a platform, every third one
 * idle, two guilds of 50; every tenth user DND with a custom status) and Node
 * heap per idle WebSocket subscriber. The guilds' resume logs are bounded per
 * guild, not per member: their bytes are counted apart.
 */
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
      return {
        sessionId: `sess-${id}`,
        userId: `user-${id}`,
        guildIds: [`guild-${id % 50}`, `guild-${(id + 7) % 50}`],
        platform: (['DESKTOP', 'MOBILE', 'WEB'] as const)[id % 3],
        activity: id % 3 === 0 ? 'IDLE' : 'ACTIVE',
      };
    });
    await graphql(url, 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { opened } }', {
      i: { nodeId: `gw-${n}`, ttlSeconds: 3600, sessions },
    });
  }
  const statuses = Array.from({ length: users / 10 }, (_, k) => `user-${k * 10}`);
  const setStatus = 'mutation ($u: ID!) { setUserStatus(input: { userId: $u, status: DND, customStatus: { text: "studying", emoji: "📚" } }) { status } }';
  for (let from = 0; from < statuses.length; from += 50) {
    await Promise.all(statuses.slice(from, from + 50).map((u) => graphql(url, setStatus, { u })));
  }
  // Redis shrinks idle clients' query buffers (the last sync was ~500 KB) on its cron.
  await sleep(1_500);
  const logKeys = Array.from({ length: 50 }, (_, g) => `ss:guild:{guild-${g}}:presence:log`);
  const logBytes = (await Promise.all(logKeys.map(async (key) => Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0)))).reduce((a, b) => a + b, 0);
  const total = (await usedMemory(redis)) - before;
  const redis_bytes_per_user = (total - logBytes) / users;
  const redis_log_bytes_per_guild = logBytes / 50;

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
  return { redis_bytes_per_user, redis_bytes_per_user_with_logs: total / users, redis_log_bytes_per_guild, heap_bytes_per_subscriber, redis_users_measured: users, subscribers_measured: subscribers };
}
