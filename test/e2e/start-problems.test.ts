import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { useServers } from '../utils/server.js';

/** Runs `npm start`'s entry with `env`; resolves with its exit code and every line it wrote. */
function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise<{ code: number | null; lines: string[] }>((resolve) =>
    child.once('exit', (code) => resolve({ code, lines: out.split('\n').filter((l) => l.trim() !== '') })),
  );
}

describe('start-up problems and client mistakes in the logs', () => {
  const { start } = useServers();

  it('a port in use: one JSON line and exit 1, no stack trace', { timeout: 30_000 }, async () => {
    const taken = await start('memory');
    const { code, lines } = await run({ PORT: new URL(taken.base).port });
    expect(code).toBe(1);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({ msg: 'cannot start', error: expect.stringMatching(/EADDRINUSE/), port: Number(new URL(taken.base).port) }),
    ]);
  });

  it('bad settings: every one named at once, exit 2', { timeout: 30_000 }, async () => {
    const { code, lines } = await run({ PORT: 'abc', STUDY_DAY_START: '25:00' });
    expect(code).toBe(2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'error', msg: 'invalid configuration', error: expect.stringMatching(/PORT must be an integer.*; STUDY_DAY_START must be HH:MM/) }),
    ]);
  });

  it('logs a client mistake (GET without a query) below error level', async () => {
    const lines: string[] = [];
    const server = await start('memory', {}, manualClock(Date.now()), { logger: createLogger('info', (line) => lines.push(line)) });
    const response = await fetch(server.url, { headers: { accept: 'application/json' } });
    expect(((await response.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    expect(lines.map((l) => JSON.parse(l)).filter((e) => e.level === 'error')).toEqual([]);
  });
});
