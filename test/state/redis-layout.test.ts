import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/state/redis/keys.js';
import { useEngine } from '../utils/contract.js';
import { redisUrl } from '../utils/engines.js';

// The compact encodings redis_bytes_per_user depends on (bench/scenarios/memory.ts).
describe.skipIf(!redisUrl)('Redis key layout', () => {
  const { setup } = useEngine('redis');
  const redis = new Redis(redisUrl ?? '');
  afterAll(() => redis.disconnect());
  const encoding = (key: string) => redis.call('OBJECT', 'ENCODING', key);

  it('keeps a user hash, the session index and a node’s session buckets as listpacks', async () => {
    const { service, config } = await setup();
    const keys = createKeys(config.keyPrefix);
    const session = { sessionId: 'sess-4821930', userId: 'user-4821930', guildIds: ['guild-90210', 'guild-4821'], nodeId: 'gateway-17' };
    await service.connectSession(session);
    expect(await encoding(keys.user(session.userId))).toBe('listpack');
    expect(await encoding(keys.session(session.sessionId))).toBe('listpack');
    expect(await redis.hkeys(keys.nodeSessions('gateway-17', session.sessionId))).toEqual([session.sessionId]);
    expect(await encoding(keys.nodeSessions('gateway-17', session.sessionId))).toBe('listpack');
    expect(await service.session(session.sessionId)).toMatchObject({ guildIds: ['guild-4821', 'guild-90210'], nodeId: 'gateway-17', roomId: null });
  });

  it('syncs and reaps a node of more sessions than one reap batch, leaving none of its keys', async () => {
    const { service, config, clock } = await setup();
    const sessions = Array.from({ length: 1_000 }, (_, i) => ({ sessionId: `s${i}`, userId: `u${i}`, guildIds: ['g1'] }));
    await service.syncNodeSessions({ nodeId: 'gw', ttlSeconds: 10, sessions });
    expect((await redis.keys(`${config.keyPrefix}node:{gw}:*`)).length).toBeGreaterThan(100);
    // A resync with half the list closes the other half.
    expect(await service.syncNodeSessions({ nodeId: 'gw', ttlSeconds: 10, sessions: sessions.slice(0, 500) })).toMatchObject({ closed: 500, unchanged: 500 });
    clock.advance(11_000);
    expect(await service.maintain()).toMatchObject({ closed: 500 });
    expect(await redis.keys(`${config.keyPrefix}node:{gw}:*`)).toEqual([]);
    expect((await service.connectionStates(['u0', 'u999'])).map((c) => c.state)).toEqual(['OFFLINE', 'OFFLINE']);
  });
});
