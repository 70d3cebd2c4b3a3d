import { Cluster, type ClusterOptions } from 'ioredis';
import type { RedisTarget } from '../../config.js';
import type { Logger } from '../../logger.js';
import { closeClients, logClients, retryStrategy } from './clients.js';

type ClusterTarget = Extract<RedisTarget, { mode: 'cluster' }>;

export interface ClusterClients {
  /** Commands, scripts and SPUBLISH: fails fast while a shard is away instead of queueing. */
  command: Cluster;
  /** SSUBSCRIBE only, one connection per master; re-subscribes after a failover or a slot move. */
  subscriber: Cluster;
  close(): Promise<void>;
}

export interface ClusterClientOptions {
  target: ClusterTarget;
  logger: Logger;
  /** A command that takes longer fails with STATE_UNAVAILABLE. @default 1000 */
  commandTimeoutMs?: number;
}

/** The ioredis Cluster clients of REDIS_CLUSTER_NODES (seed nodes; the rest is discovered). */
export function createClusterClients({ target, logger, commandTimeoutMs = 1_000 }: ClusterClientOptions): ClusterClients {
  const seeds = target.nodes.map(({ host, port }) => ({ host, port }));
  const node = {
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  const shared: ClusterOptions = {
    clusterRetryStrategy: retryStrategy,
    // After a failover the slot map is asked for again at once, not on the next MOVED.
    slotsRefreshTimeout: commandTimeoutMs,
    scaleReads: 'master', // reads see every write the caller was answered for
  };
  const command = new Cluster(seeds, {
    ...shared,
    enableOfflineQueue: false,
    maxRedirections: 4,
    redisOptions: { ...node, commandTimeout: commandTimeoutMs, maxRetriesPerRequest: 0, connectionName: 'state-server:command' },
  });
  const subscriber = new Cluster(seeds, {
    ...shared,
    shardedSubscribers: true,
    // ioredis moves sharded subscriptions only when it refreshes the slot
    // map; after a graceful CLUSTER FAILOVER no error triggers that (the old
    // master stays connected and drops our SSUBSCRIBEs), so ask every second.
    slotsRefreshInterval: 1_000,
    redisOptions: { ...node, maxRetriesPerRequest: null, connectionName: 'state-server:subscriber' },
  });
  logClients(logger, { command, subscriber });
  return {
    command,
    subscriber,
    close: () => closeClients([command, subscriber]),
  };
}
