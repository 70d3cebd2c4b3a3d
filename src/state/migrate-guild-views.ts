import type { Cluster, Redis } from 'ioredis';

/**
 * Moves guild online views of the layout before onlineMembers to today's:
 * a single Redis's `guild:{g}:online` SET, or a Cluster guild's HASH
 * (userId → presence version), becomes the `:online:byid` ZSET (scores 0),
 * a Cluster member's version going into the guild's `seen` hash. One
 * script per guild (its keys share the guild's slot); run it once, with
 * every instance stopped. Resolves with how many guilds it moved.
 */
const MOVE = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'set' then
  for _, uid in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('ZADD', KEYS[2], 0, uid) end
elseif kind == 'hash' then
  local flat = redis.call('HGETALL', KEYS[1])
  for i = 1, #flat, 2 do
    redis.call('ZADD', KEYS[2], 0, flat[i])
    local seq = string.match(redis.call('HGET', KEYS[3], flat[i]) or '0', '^%d+') or '0'
    redis.call('HSET', KEYS[3], flat[i], seq .. '\\t' .. flat[i + 1])
  end
else
  return 0
end
redis.call('DEL', KEYS[1])
return 1`;

export async function migrateGuildViews(client: Redis | Cluster, keyPrefix: string): Promise<number> {
  const masters = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  let moved = 0;
  for (const node of masters) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${keyPrefix}guild:{*}:online`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const base = key.slice(0, -':online'.length);
        moved += Number(await client.eval(MOVE, 3, key, `${key}:byid`, `${base}:seen`));
      }
    } while (cursor !== '0');
  }
  return moved;
}
