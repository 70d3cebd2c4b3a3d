// npx tsx bench/spikes/connect-steps.ts  (numbers in docs/cluster-layout.md)
// Spike, kept for the record: cost of splitting connect into steps (claim, user, 2 guild steps, async ack) vs one script, on one redis-server.
import { Redis } from 'ioredis';
import { startRedisServer } from '../../test/utils/redis-server.js';
const server = await startRedisServer();
type Call = (...args: Array<string | number>) => Promise<unknown>;
const r = new Redis(server.url) as Redis & Record<'one' | 'claim' | 'user' | 'guild' | 'ack', Call>;
r.defineCommand('one', { numberOfKeys: 6, lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
local q = redis.call('HINCRBY', KEYS[3], 'q', 1)
redis.call('HSET', KEYS[3], 's:' .. ARGV[2], 'rec', 'n', 1, 'g', 'g1\\ng2')
redis.call('HSET', KEYS[4], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1]) redis.call('SADD', KEYS[6], ARGV[1])
local p = '{"userId":"' .. ARGV[1] .. '","state":"ONLINE","version":' .. q .. '}'
redis.call('PUBLISH', 'pu', p) redis.call('PUBLISH', 'pg1', p) redis.call('PUBLISH', 'pg2', p)
return q` });
r.defineCommand('claim', { numberOfKeys: 2, lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local o = redis.call('HGET', KEYS[2], ARGV[2]) if o and o ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1]) return 1` });
r.defineCommand('user', { numberOfKeys: 5, lua: `
if redis.call('EXISTS', KEYS[5]) == 1 then return 0 end
local q = redis.call('HINCRBY', KEYS[1], 'q', 1)
redis.call('HSET', KEYS[1], 's:' .. ARGV[2], 'rec', 'n', 1, 'g', 'g1\\ng2')
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
local p = '{"userId":"' .. ARGV[1] .. '","state":"ONLINE","version":' .. q .. '}'
redis.call('HSET', KEYS[3], q .. 'a', 'P\\ng1\\n' .. p, q .. 'b', 'P\\ng2\\n' .. p)
redis.call('ZADD', KEYS[4], 'NX', 100, ARGV[1])
redis.call('PUBLISH', 'pu', p)
return { q, redis.call('HGETALL', KEYS[3]) }` });
r.defineCommand('guild', { numberOfKeys: 2, lua: `
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) <= seen then return 0 end
redis.call('SADD', KEYS[1], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PUBLISH', 'pg', ARGV[3]) return 1` });
r.defineCommand('ack', { numberOfKeys: 2, lua: `
redis.call('HDEL', KEYS[1], ARGV[2], ARGV[3])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end return 1` });
const cpu = async () => { const i = await r.info('cpu'); return Number(/used_cpu_sys:([\d.]+)/.exec(i)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(i)![1]); };
async function run(name: string, op: (i: number) => Promise<unknown>, n = 60000, inflight = 64) {
  let next = 0; const lat: number[] = []; const c0 = await cpu(); const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, async () => { while (next < n) { const i = next++; const s = performance.now(); await op(i); lat.push(performance.now() - s); } }));
  const secs = (performance.now() - t0) / 1000; const c1 = await cpu(); lat.sort((a, b) => a - b);
  console.log(`${name}: ${Math.round(n / secs)} ops/s, p50 ${lat[lat.length >> 1]!.toFixed(2)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(2)} ms, redis cpu ${(((c1 - c0) * 1e6) / n).toFixed(1)} µs/op`);
}
const one = (p: string) => (i: number) => r.one(`${p}t:s${i}`, `${p}idx:${i % 256}`, `${p}u:${i}`, `${p}node:${i % 4}`, `${p}g1`, `${p}g2`, `u${i}`, `s${i}`);
const steps = (p: string) => async (i: number) => {
  const u = `u${i}`, s = `s${i}`;
  await r.claim(`${p}t:s${i}`, `${p}idx:${i % 256}`, u, s);
  const [q, ops] = (await r.user(`${p}u:${i}`, `${p}node:${i % 4}`, `${p}ob:${i}`, `${p}outbox`, `${p}ut:s${i}`, u, s)) as [number, string[]];
  await Promise.all(['g1', 'g2'].map((g, j) => r.guild(`${p}${g}`, `${p}${g}:seen`, u, q, ops[j * 2 + 1]!.slice(5))));
  void r.ack(`${p}ob:${i}`, `${p}outbox`, u, `${q}a`, `${q}b`);
};
for (let round = 0; round < 2; round++) {
  await run('one script (today)', one(`a${round}:`));
  await run('steps (claim, user, 2 guilds, ack)', steps(`b${round}:`));
}
r.disconnect(); await server.stop();
