import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { listeningUrl } from '../../test/utils/server-process.js';
import { percentile } from '../lib.js';
import type { BenchContext } from '../run.js';

/** Milliseconds from spawning `args` until its /health answers 200. */
async function timeToHealth(args: string[], env: Record<string, string>): Promise<number> {
  const began = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await listeningUrl(child);
    for (;;) {
      const ok = await fetch(url.replace('/graphql', '/health')).then((r) => r.ok, () => false);
      if (ok) return performance.now() - began;
    }
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * `npm start` (node on the compiled dist/, built here from the current
 * sources) against running the TypeScript through tsx, as `npm run dev`
 * does: the median of 5 starts each, from spawn to the first /health.
 */
export async function startup(ctx: BenchContext): Promise<Record<string, number>> {
  const out = '.tmp/bench-build';
  mkdirSync('.tmp', { recursive: true });
  execFileSync(process.execPath, ['scripts/build.mjs', out], { stdio: 'inherit' });
  const env = { REDIS_URL: ctx.redisUrl, KEY_PREFIX: ctx.serverEnv('startup').KEY_PREFIX! };
  const runs = ctx.quick ? 3 : 5;
  const compiled: number[] = [];
  const tsx: number[] = [];
  for (let i = 0; i < runs; i++) {
    compiled.push(await timeToHealth([`${out}/main.js`], env));
    tsx.push(await timeToHealth(['--import', 'tsx', 'src/main.ts'], env));
  }
  return { startup_compiled_ms: percentile(compiled, 50), startup_tsx_ms: percentile(tsx, 50) };
}
