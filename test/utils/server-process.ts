import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** Resolves with the URL a starting server logs in its "listening" line; rejects if it exits first. */
export function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      const match = /"url":"([^"]+)"/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)));
  });
}

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface ServerProcess {
  readonly base: string;
  readonly url: string;
  readonly pid: number;
  /** Every JSON log line the server wrote so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Lines on stdout or stderr that are not JSON (stack traces, warnings). */
  readonly rawLines: string[];
  stop(): Promise<void>;
}

/**
 * Runs `src/main.ts` in a process of its own, configured by environment only,
 * as an operator would. Tests that time an instance's event loop need this:
 * an instance built inside the test process shares its loop with the test.
 */
export function useServerProcesses() {
  const running: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
  });

  async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Array<Record<string, unknown>> = [];
    const rawLines: string[] = [];
    const onLine = (line: string) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        if (line.trim() !== '') rawLines.push(line);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${rawLines.join('\n')}`)), 30_000);
      const poll = setInterval(() => {
        const started = logs.find((entry) => entry.msg === 'state-server listening');
        if (started) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(String(started.url));
        }
      }, 20);
      child.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`server exited with ${code}: ${rawLines.join('\n')}`));
      });
    });
    const base = url.replace(/\/graphql$/, '');
    const server: ServerProcess = {
      base,
      url,
      pid: child.pid!,
      logs,
      rawLines,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 12_000);
        await exited;
        clearTimeout(force);
      },
    };
    running.push(server);
    return server;
  }

  return { spawnServer };
}
