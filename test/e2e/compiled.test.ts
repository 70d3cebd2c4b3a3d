import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisUrl, uniquePrefix } from '../utils/engines.js';
import { CONNECT } from '../utils/operations.js';
import { listeningUrl } from '../utils/server-process.js';
import { gql } from '../utils/server.js';

/** What `npm start` runs: the build of scripts/build.mjs, in a directory of its own so a stale dist/ cannot hide a break. */
describe.skipIf(!redisUrl)('the compiled server (npm start)', () => {
  // Inside the project: the output needs its node_modules and its package.json ("type": "module").
  mkdirSync('.tmp', { recursive: true });
  const out = mkdtempSync(join('.tmp', 'build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds, starts with plain node and serves the Redis engine, Lua scripts included', { timeout: 60_000 }, async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', out], { stdio: 'pipe' });
    const child = spawn(process.execPath, [join(out, 'main.js')], {
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl!, KEY_PREFIX: uniquePrefix() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await listeningUrl(child);
      const connected = await gql(url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
      expect(connected.data?.connectSession).toMatchObject({ changed: true, connection: { state: 'ONLINE', sessionCount: 1 } });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
