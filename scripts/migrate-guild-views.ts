/**
 * One-off upgrade of guild online views (docs/cluster-layout.md): run once
 * with the server's Redis settings and every instance stopped, e.g.
 *   REDIS_URL=redis://host:6379 npx tsx scripts/migrate-guild-views.ts
 */
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createClusterClients } from '../src/state/redis/cluster-clients.js';
import { createRedisClients } from '../src/state/redis/clients.js';
import { migrateGuildViews } from '../src/state/migrate-guild-views.js';

const config = loadConfig(process.env);
const target = config.redis;
if (!target) throw new Error('set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES as for the server');
const clients = target.mode === 'cluster' ? createClusterClients({ target, logger: silentLogger }) : createRedisClients({ target, logger: silentLogger });
try {
  console.log(`moved ${await migrateGuildViews(clients.command, config.keyPrefix)} guild views`);
} finally {
  await clients.close();
}
