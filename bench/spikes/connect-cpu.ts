// npx tsx bench/spikes/connect-cpu.ts  [RESUME_WINDOW_EVENTS=0]  (numbers in README.md, Performance)
// Redis CPU of a first connect (two guilds of 50) through the state service on a private redis-server,
// 20,000 connects 64 in flight, with the commands the scripts ran (INFO commandstats): for A/B runs of
// the connect script across commits (check the commit out, run this).
import { Redis } from 'ioredis';
import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState } from '../../src/state/create-state.js';
import { startRedisServer } from '../../test/utils/redis-server.js';

const server = await startRedisServer();
const config = { ...loadConfig({ LOG_LEVEL: 'silent', ...process.env }), redis: { mode: 'single' as const, url: server.url, password: undefined }, keyPrefix: 'cpu:' };
const state = await createState(config, manualClock(Date.now()), silentLogger);
const redis = new Redis(server.url);
const cpu = async () => {
  const info = await redis.info('cpu');
  return Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)![1]);
};
const n = 20_000;
for (let i = 0; i < 2_000; i++) await state.service.connectSession({ sessionId: `warm${i}`, userId: `warm${i}`, guildIds: ['g1', 'g2'] });
await redis.config('RESETSTAT');
const before = await cpu();
for (let from = 0; from < n; from += 64) {
  await Promise.all(Array.from({ length: 64 }, (_, k) => state.service.connectSession({ sessionId: `s${from + k}`, userId: `u${from + k}`, guildIds: [`g${(from + k) % 50}`, `g${(from + k + 7) % 50}`] })));
}
console.log(`Redis CPU per connect: ${((((await cpu()) - before) * 1e6) / n).toFixed(1)} µs`);
for (const line of (await redis.info('commandstats')).split('\n')) if (line.startsWith('cmdstat_')) console.log(line.trim());
await state.close();
redis.disconnect();
await server.stop();
