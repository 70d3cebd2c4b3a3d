import { describe, expect, it } from 'vitest';
import { createClusterKeys } from '../../src/state/cluster/keys.js';
import { createKeys } from '../../src/state/redis/keys.js';
import { migrateGuildViews } from '../../src/state/migrate-guild-views.js';
import { useEngine } from '../utils/contract.js';
import { engineNames, targetOf } from '../utils/engines.js';
import { silentLogger } from '../../src/logger.js';
import { createClusterClients } from '../../src/state/redis/cluster-clients.js';
import { createRedisClients } from '../../src/state/redis/clients.js';

describe.each(engineNames.filter((e) => e !== 'memory'))('guild view migration (%s)', (engine) => {
  const { setup, defer } = useEngine(engine);

  it('moves the old online views to the paged ones, versions included, once', async () => {
    const { service, config } = await setup();
    const target = targetOf(engine)!;
    const clients = target.mode === 'cluster' ? createClusterClients({ target, logger: silentLogger }) : createRedisClients({ target, logger: silentLogger });
    defer(() => clients.close());
    const client = clients.command;
    // Sessions first, so the members are online in their user records; then the guild view as the old layout kept it.
    for (const userId of ['u1', 'u2', 'u{3}']) await service.connectSession({ sessionId: `s-${userId}`, userId, guildIds: ['g1', 'g{2}'] });
    for (const guildId of ['g1', 'g{2}']) {
      if (engine === 'redis') {
        const keys = createKeys(config.keyPrefix);
        await client.del(keys.guildOnline(guildId));
        await client.sadd(keys.guildOnline(guildId).replace(/:byid$/, ''), 'u1', 'u2', 'u{3}');
      } else {
        const keys = createClusterKeys(config.keyPrefix);
        await client.del(keys.guildOnline(guildId));
        await client.hset(keys.guildOnline(guildId).replace(/:byid$/, ''), { u1: '7', u2: '8', 'u{3}': '9' });
        await client.del(keys.guildSeen(guildId));
        await client.hset(keys.guildSeen(guildId), { u1: '100\t1', u2: '101' });
      }
    }
    expect((await service.guildPresence('g1')).onlineCount).toBe(0);

    expect(await migrateGuildViews(client, config.keyPrefix)).toBe(2);
    for (const guildId of ['g1', 'g{2}']) {
      expect((await service.guildPresence(guildId)).onlineCount).toBe(3);
      expect((await service.onlineMembers(guildId, 10, null)).entries.map((e) => e.userId)).toEqual(['u1', 'u2', 'u{3}']);
    }
    if (engine === 'cluster') {
      const seen = await client.hgetall(createClusterKeys(config.keyPrefix).guildSeen('g1'));
      expect(seen).toMatchObject({ u1: '100\t7', u2: '101\t8', 'u{3}': '0\t9' });
    }
    expect(await migrateGuildViews(client, config.keyPrefix)).toBe(0);
  });
});
