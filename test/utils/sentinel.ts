import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { valueOf } from './collect.js';
import { freePort, startRedisServer, type RedisServer } from './redis-server.js';
import { tlsServerArgs, type TestCertificate } from './tls.js';

/** A master, one replica and one sentinel watching them, all private, on free loopback ports. */
export interface SentinelSetup {
  readonly name: string;
  /** `host:port` of the sentinel, as REDIS_SENTINELS takes it. */
  readonly sentinels: string;
  readonly master: RedisServer;
  readonly replica: RedisServer;
  /** Port of the current master, as the sentinel reports it. */
  masterPort(): Promise<number>;
  /** Asks the sentinel to promote the replica; resolves once it reports the new master. */
  failover(): Promise<number>;
  stop(): Promise<void>;
}


/**
 * `password`: the sentinel's own `requirepass` (the data nodes stay open);
 * `tls`: every process (master, replica, sentinel) serves TLS only, with this certificate.
 */
export async function startSentinel(
  name = 'state',
  { password, tls }: { password?: string; tls?: TestCertificate } = {},
): Promise<SentinelSetup> {
  const tlsArgs = async () => {
    if (!tls) return { port: undefined, args: [] };
    const port = await freePort();
    return { port, args: [...tlsServerArgs(tls, port), '--tls-replication', 'yes'] };
  };
  const m = await tlsArgs();
  const master = await startRedisServer(m.port, m.args, { tls });
  const r = await tlsArgs();
  const replica = await startRedisServer(r.port, [...r.args, '--replicaof', '127.0.0.1', String(master.port)], { tls });
  const port = await freePort();
  // A sentinel rewrites its configuration file, so it gets one of its own.
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
  const file = join(dir, 'sentinel.conf');
  writeFileSync(
    file,
    [
      ...(tls
        ? ['port 0', `tls-port ${port}`, `tls-cert-file ${tls.certFile}`, `tls-key-file ${tls.keyFile}`,
          `tls-ca-cert-file ${tls.certFile}`, 'tls-auth-clients no', 'tls-replication yes']
        : [`port ${port}`]),
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      ...(password ? [`requirepass ${password}`] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' });
  const secure = tls ? { tls: { ca: tls.pem } } : {};
  const control = new Redis({ port, host: '127.0.0.1', password, ...secure, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  control.on('error', () => {});

  const masterPort = async () => {
    const reply = (await control.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string] | null;
    return reply ? Number(reply[1]) : null;
  };
  // Ready once the sentinel knows the master and has found its replica.
  await valueOf(async () => {
    const replicas = (await control.call('SENTINEL', 'replicas', name)) as unknown[];
    return (await masterPort()) === master.port && replicas.length > 0 ? true : null;
  }, 10_000, 'the sentinel to see its master and replica');
  // The replica must have caught up before a failover may pick it.
  const replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 0, ...secure });
  await valueOf(async () => ((await replicaClient.info('replication')).includes('master_link_status:up') ? true : null), 10_000, 'replication');
  replicaClient.disconnect();

  return {
    name,
    sentinels: `127.0.0.1:${port}`,
    master,
    replica,
    masterPort: async () => (await masterPort()) ?? 0,
    async failover() {
      const before = await masterPort();
      await control.call('SENTINEL', 'failover', name);
      return valueOf(async () => {
        const now = await masterPort();
        return now !== null && now !== before ? now : null;
      }, 15_000, 'the sentinel to report a new master');
    },
    async stop() {
      control.disconnect();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      await replica.stop();
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
