import { Redis } from 'ioredis';
import { loadTest, startChild } from '../lib.js';
import type { BenchContext } from '../run.js';

/** What the machine can do in this run: plain node:http, yoga with a trivial mutation, one Lua call per op. */
export async function baselines(ctx: BenchContext) {
  const headers = { 'content-type': 'application/json' };
  const plain = await startChild('bench/fixtures/plain-http.ts');
  const baseline_http_rps = await loadTest({
    url: `http://127.0.0.1:${plain.ports[0]}/`,
    method: 'POST',
    headers,
    body: JSON.stringify({ query: 'mutation { ping }' }),
    duration: ctx.seconds,
  });
  await plain.stop();

  const yoga = await startChild('bench/fixtures/yoga-trivial.ts');
  const baseline_yoga_rps = await loadTest({
    url: `http://127.0.0.1:${yoga.ports[0]}/graphql`,
    method: 'POST',
    headers,
    body: JSON.stringify({ query: 'mutation { ping }' }),
    duration: ctx.seconds,
  });
  await yoga.stop();

  const redis = new Redis(ctx.redisUrl);
  redis.defineCommand('benchIncr', { numberOfKeys: 1, lua: "return redis.call('INCR', KEYS[1])" });
  const call = () => (redis as unknown as { benchIncr: (key: string) => Promise<number> }).benchIncr('bench:lua');
  let ops = 0;
  const until = Date.now() + ctx.seconds * 1000;
  const began = Date.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < until) {
        await call();
        ops += 1;
      }
    }),
  );
  const baseline_lua_ops = ops / ((Date.now() - began) / 1000);
  redis.disconnect();
  return { baseline_http_rps, baseline_yoga_rps, baseline_lua_ops };
}
