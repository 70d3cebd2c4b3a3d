import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { valueOf } from './collect.js';
import { freePort } from './redis-server.js';
import { tlsServerArgs, type TestCertificate } from './tls.js';
import { silentLogger } from '../../src/logger.js';
import { createClusterClients, type ClusterClients } from '../../src/state/redis/cluster-clients.js';

/** One redis-server of a private cluster. */
export interface ClusterNode {
  readonly port: number;
  readonly busPort: number;
  /** Ends the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Stalls it (SIGSTOP): connections stay open, nothing is answered until `resume`. */
  pause(): void;
  resume(): void;
}

/** A private Redis Cluster on free loopback ports, for the Cluster suites. */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  readonly seeds: string;
  /** Ports of the current masters, by the slots they serve (lowest first). */
  masterPorts(): Promise<number[]>;
  /** Port of a replica of the master on `masterPort`. */
  replicaOf(masterPort: number): Promise<number>;
  /** Asks a replica to take over its master (`CLUSTER FAILOVER`); resolves once it serves as master. */
  failover(replicaPort: number): Promise<void>;
  /** Resolves once every slot is served again (after a failover or a killed master). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}


/** How the harness reaches its nodes: the cluster's password and certificate, if it has them. */
interface Access {
  readonly password?: string;
  readonly tls?: TestCertificate;
}

const control = (port: number, { password, tls }: Access) => {
  const client = new Redis({
    port, host: '127.0.0.1', password, ...(tls ? { tls: { ca: tls.pem } } : {}),
    lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
};

async function ask<T>(access: Access, port: number, ...command: [string, ...string[]]): Promise<T> {
  const client = control(port, access);
  try {
    await client.connect();
    return (await client.call(...command)) as T;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts `masters` masters (and `replicas` replicas for each) from the
 * redis-server on PATH, joins them with `redis-cli --cluster create`, and
 * waits until every slot is served. Nothing is persisted; `stop` removes it all.
 */
export async function startRedisCluster(
  { masters = 3, replicas = 0, password, tls }: { masters?: number; replicas?: number } & Access = {},
): Promise<RedisCluster> {
  const access: Access = { password, tls };
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const count = masters * (1 + replicas);
  const children: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  const killed = new Set<number>();
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const busPort = await freePort();
    const child = spawn(
      'redis-server',
      [
        ...(tls ? [...tlsServerArgs(tls, port), '--tls-cluster', 'yes', '--tls-replication', 'yes'] : ['--port', String(port)]),
        ...(password ? ['--requirepass', password, '--masterauth', password] : []),
        '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-port', String(busPort),
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
        // A killed master is noticed in about a second, not fifteen.
        '--cluster-node-timeout', '1000',
        // A replica may take over however long ago it last heard from its master (an idle test cluster pings rarely).
        '--cluster-replica-validity-factor', '0',
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    nodes.push({
      port,
      busPort,
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      kill: async () => {
        killed.add(port);
        child.kill('SIGCONT'); // a stalled process acts on SIGKILL's exit only once it runs
        if (child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      },
    });
  }
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, node] of nodes.entries()) {
      const child = children[i]!;
      // A node that exited (a port taken meanwhile) never answers: say so rather than time out.
      await valueOf(async () => ((await ask(access, node.port, 'PING')) === 'PONG' ? true : null), 5_000, `node ${node.port}`).catch((error: Error) => {
        throw child.exitCode !== null ? new Error(`redis-server for node ${node.port} (bus ${node.busPort}) exited with ${child.exitCode} before answering`) : error;
      });
    }
    const created = spawnSync(
      'redis-cli',
      [
        ...(password ? ['-a', password, '--no-auth-warning'] : []),
        ...(tls ? ['--tls', '--cacert', tls.certFile] : []),
        '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  } catch (error) {
    await stop();
    throw error;
  }

  const live = () => nodes.filter((n) => !killed.has(n.port));
  const slotsOf = async () => {
    for (const node of live()) {
      const slots = await ask<Array<[number, number, [string, number]]>>(access, node.port, 'CLUSTER', 'SLOTS').catch(() => null);
      if (slots) return slots;
    }
    throw new Error('no cluster node answers');
  };
  const waitHealthy = async (timeoutMs = 15_000) => {
    await valueOf(
      async () => {
        // Every node that runs must agree that the cluster is ok and see all slots.
        for (const node of live()) {
          const info = await ask<string>(access, node.port, 'CLUSTER', 'INFO').catch(() => null);
          if (info === null) continue;
          if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) return null;
        }
        return true;
      },
      timeoutMs,
      'the cluster to serve every slot',
    );
  };
  await waitHealthy();
  // Replicas sync a moment after the cluster serves; a test that counts on them (WAIT, failover) needs them online.
  if (replicas > 0) {
    for (const node of nodes) {
      await valueOf(
        async () => {
          const info = await ask<string>(access, node.port, 'INFO', 'replication');
          return !info.includes('role:master') || /slave0:.*state=online/.test(info) ? true : null;
        },
        15_000,
        `the replica of ${node.port} to be online`,
      );
    }
  }
  const masterPorts = async () => (await slotsOf()).sort((a, b) => a[0] - b[0]).map((range) => Number(range[2][1]));

  return {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    masterPorts,
    failover: async (replicaPort) => {
      await ask(access, replicaPort, 'CLUSTER', 'FAILOVER');
      await valueOf(
        async () => ((await ask<string>(access, replicaPort, 'ROLE').then((r) => r[0])) === 'master' ? true : null),
        10_000,
        `replica ${replicaPort} to become master`,
      );
      await waitHealthy();
    },
    replicaOf: async (masterPort) => {
      for (const node of live()) {
        const role = await ask<[string, string, number]>(access, node.port, 'ROLE').catch(() => null);
        if (role?.[0] === 'slave' && Number(role[2]) === masterPort) return node.port;
      }
      throw new Error(`no replica of ${masterPort}`);
    },
    waitHealthy,
    stop,
  };
}

/**
 * The server's Cluster clients for a REDIS_CLUSTER_NODES list, once the
 * command client is connected (it fails fast rather than queueing).
 */
export async function openClusterClients(seeds: string): Promise<ClusterClients> {
  const nodes = seeds.split(',').map((s) => ({ host: s.split(':')[0]!, port: Number(s.split(':')[1]) }));
  const clients = createClusterClients({ target: { mode: 'cluster', nodes, password: undefined, tls: false }, logger: silentLogger });
  await new Promise((resolve) => clients.command.once('ready', resolve));
  return clients;
}
