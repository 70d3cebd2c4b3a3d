import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { TestCertificate } from './tls.js';

/** A redis-server of our own on a free loopback port, so tests may stop and restart it. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is persisted). */
  restart(): Promise<void>;
  /** Stalls it (SIGSTOP): connections stay open, nothing is answered until `resume`. */
  pause(): void;
  resume(): void;
}

export const hasRedisServerBinary = () => spawnSync('redis-server', ['--version']).status === 0;

/** Whether nothing listens on `port` of 127.0.0.1 (bound and released at once). */
const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A free loopback port below the kernel's ephemeral range (32768 and up on
 * Linux): a port the kernel handed out for one probe can be handed out
 * again as the source port of any of the thousands of connections a test
 * run opens, and a redis-server started on it then fails to bind (seen in
 * CI: a cluster node that never answered). Random, so concurrent suites
 * rarely pick the same one; each pick is checked by binding it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
}

async function waitForPing(url: string, tls?: TestCertificate, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(tls ? { tls: { ca: tls.pem } } : {}) });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server at ${url} did not answer`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * `args` are extra redis-server options, e.g. `['--replicaof', '127.0.0.1', '6380']`;
 * `tls`: the certificate of a server started with tlsServerArgs (it is pinged over TLS).
 */
export async function startRedisServer(port?: number, args: string[] = [], { tls }: { tls?: TestCertificate } = {}): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const url = `redis://127.0.0.1:${chosen}`;
  let child: ChildProcess | null = null;

  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', ...args],
      { stdio: 'ignore' },
    );
    // A server started with --requirepass answers only with its password.
    const password = args[args.indexOf('--requirepass') + 1];
    await waitForPing(args.includes('--requirepass') ? `redis://:${password}@127.0.0.1:${chosen}` : url, tls);
  };
  const stop = async () => {
    const running = child as ChildProcess | null;
    running?.kill('SIGCONT'); // a stalled server cannot act on SIGKILL's exit until it runs
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  const signal = (name: NodeJS.Signals) => (child as ChildProcess | null)?.kill(name);
  return {
    url,
    port: chosen,
    stop,
    restart: async () => (await stop(), await launch()),
    pause: () => void signal('SIGSTOP'),
    resume: () => void signal('SIGCONT'),
  };
}
