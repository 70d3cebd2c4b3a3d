import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hasRedisServerBinary, startRedisServer } from '../utils/redis-server.js';
import { startSentinel } from '../utils/sentinel.js';
import { CONNECT, JOIN, PRESENCE, STATES } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { uniquePrefix } from '../utils/engines.js';

// Each mode from its variables, through a real server and real redis-server processes.
describe.skipIf(!hasRedisServerBinary())('Redis deployment modes', () => {
  const { start, wsClient, subscribe } = useServers();
  const states = (url: string) => gql(url, STATES, { userIds: ['u1'], guildId: 'g1' });

  it('authenticates with REDIS_PASSWORD on a single Redis, and is refused without it', async () => {
    const redis = await startRedisServer(undefined, ['--requirepass', 'secret-pass']);
    try {
      const withPassword = loadConfig({ REDIS_URL: redis.url, REDIS_PASSWORD: 'secret-pass', KEY_PREFIX: uniquePrefix() });
      const server = await start('redis', { redis: withPassword.redis });
      await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
      expect((await states(server.url)).data?.connectionStates).toEqual([expect.objectContaining({ userId: 'u1', state: 'ONLINE' })]);

      const without = await start('redis', { redis: loadConfig({ REDIS_URL: redis.url }).redis });
      expect(codeOf(await states(without.url))).toBe('STATE_UNAVAILABLE');
    } finally {
      await redis.stop();
    }
  });

  it('follows the master the sentinels name, also after a failover', async () => {
    const sentinel = await startSentinel();
    try {
      const config = loadConfig({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name });
      const server = await start('redis', { redis: config.redis });
      expect(server.app.state.engine).toBe('redis');
      await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
      expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ state: 'ONLINE', sessionCount: 1 });

      const began = Date.now();
      expect(await sentinel.failover()).toBe(sentinel.replica.port);
      // During the switch requests fail as STATE_UNAVAILABLE (never INTERNAL); then the new master answers.
      let answer = await states(server.url);
      while (answer.errors && Date.now() - began < 20_000) {
        expect(codeOf(answer)).toBe('STATE_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 100));
        answer = await states(server.url);
      }
      expect(answer.data?.connectionStates[0]).toMatchObject({ state: 'ONLINE', sessionCount: 1 });
      const write = await gql(server.url, CONNECT, { input: { sessionId: 's2', userId: 'u1', guildIds: ['g1'] } });
      expect(write.errors).toBeUndefined();
      expect((await states(server.url)).data?.connectionStates[0]).toMatchObject({ sessionCount: 2 });
    } finally {
      await sentinel.stop();
    }
  }, 60_000);

  it('asks sentinels that have a password of their own with REDIS_SENTINEL_PASSWORD, and is refused without it', async () => {
    const sentinel = await startSentinel('state', { password: 'sentinel-secret' });
    try {
      const env = { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name, KEY_PREFIX: uniquePrefix() };
      const server = await start('redis', { redis: loadConfig({ ...env, REDIS_SENTINEL_PASSWORD: 'sentinel-secret' }).redis });
      expect((await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } })).errors).toBeUndefined();
      const without = await start('redis', { redis: loadConfig(env).redis });
      expect(codeOf(await states(without.url))).toBe('STATE_UNAVAILABLE');
    } finally {
      await sentinel.stop();
    }
  }, 60_000);

  it('keeps two instances serving a steady mixed load while the master process is killed', async () => {
    const sentinel = await startSentinel();
    try {
      const config = loadConfig({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name, KEY_PREFIX: uniquePrefix() });
      const instances = [
        await start('redis', { redis: config.redis, keyPrefix: config.keyPrefix }),
        await start('redis', { redis: config.redis, keyPrefix: config.keyPrefix }),
      ] as const;
      const committed: string[] = [];
      const codes = new Map<string, number>();
      let lastCommitStart = 0;
      let lastErrorAt = 0;
      let stop = false;
      let n = 0;
      // Each request alternates instances: a connect, then that user joins voice in g1.
      const load = (async () => {
        while (!stop) {
          const i = n++;
          const server = instances[i % 2]!;
          const userId = `load-${i}`;
          const startedAt = Date.now();
          const connect = await gql(server.url, CONNECT, { input: { sessionId: `s-${i}`, userId, guildIds: ['g1'] } });
          const join = connect.errors ? null : await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId } });
          for (const answer of [connect, join]) {
            const code = answer?.errors ? String(codeOf(answer)) : null;
            if (code) codes.set(code, (codes.get(code) ?? 0) + 1);
            if (code) lastErrorAt = Date.now();
          }
          if (!connect.errors && join && !join.errors) {
            committed.push(userId);
            lastCommitStart = startedAt;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await new Promise((r) => setTimeout(r, 500));
      const before = committed.length;

      const killed = Date.now();
      await sentinel.master.stop();
      // Served again: a write started after the last failure, which came after the kill.
      while (!(lastErrorAt > killed && lastCommitStart > lastErrorAt)) {
        if (Date.now() - killed > 30_000) throw new Error('no write succeeded within 30 s of the kill');
        await new Promise((r) => setTimeout(r, 50));
      }
      const servedAgain = lastCommitStart - killed;
      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await load;

      // Only STATE_UNAVAILABLE during the switch: never INTERNAL, never a hang (the loop finished).
      expect([...codes.keys()].every((c) => c === 'STATE_UNAVAILABLE')).toBe(true);
      expect(committed.length).toBeGreaterThan(before);
      // Every answered mutation is there, seen from both instances.
      for (const server of instances) {
        const answer = await gql(server.url, STATES, { userIds: committed, guildId: 'g1' });
        expect(answer.errors).toBeUndefined();
        expect(answer.data?.connectionStates.filter((c: { state: string }) => c.state !== 'ONLINE')).toEqual([]);
        expect([...answer.data?.channelStates[0].userIds].sort()).toEqual([...committed].sort());
      }
      // Subscriptions deliver again: an event caused on one instance reaches a subscriber of the other.
      const events = await subscribe(instances[1], wsClient(instances[1]), PRESENCE, { userIds: ['after-failover'] });
      await gql(instances[0].url, CONNECT, { input: { sessionId: 's-after', userId: 'after-failover', guildIds: ['g1'] } });
      expect((await events.take(1, 10_000))[0]?.data).toMatchObject({ presenceChanged: { userId: 'after-failover', state: 'ONLINE' } });
      console.log(
        `sentinel: master killed; writes served again after ${servedAgain} ms; ${committed.length} users committed, ` +
          `errors ${JSON.stringify(Object.fromEntries(codes))}`,
      );
    } finally {
      await sentinel.stop();
    }
  }, 90_000);
});
