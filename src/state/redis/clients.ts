import type { EventEmitter } from 'node:events';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import type { Socket } from 'node:net';
import type { RedisTarget } from '../../config.js';
import type { Logger } from '../../logger.js';

export interface RedisClients {
  /** Commands and scripts: fails fast while Redis is away instead of queueing. */
  command: Redis;
  /** SUBSCRIBE only: queues while away and resubscribes after a reconnect. */
  subscriber: Redis;
  close(): Promise<void>;
}

export interface RedisClientOptions {
  /** A URL (single Redis) or any deployment mode of the configuration. */
  target: string | RedisTarget;
  logger: Logger;
  /** A command that takes longer fails with STATE_UNAVAILABLE. @default 1000 */
  commandTimeoutMs?: number;
}

/**
 * Commands sent in one turn of the event loop leave in one write: the
 * socket is corked at the first and uncorked in setImmediate. ioredis's
 * autopipelining batches the same way but builds a Pipeline per turn that
 * copies every defined script onto itself; in a plain ioredis loop of one
 * script call a millisecond that was 8.6 KB allocated and 2.1 KB promoted
 * to the old generation per call, against 5.2 and 0.8 KB corked.
 * Commands ioredis sends on its own stream argument (the handshake) and any
 * sent before `ready` are left alone.
 */
class BatchingRedis extends Redis {
  private corked: Socket | undefined;

  override sendCommand(...args: Parameters<Redis['sendCommand']>) {
    const socket = this.stream;
    if (args[1] === undefined && this.status === 'ready' && socket && this.corked !== socket) {
      socket.cork();
      this.corked = socket;
      setImmediate(() => {
        if (this.corked === socket) this.corked = undefined;
        socket.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}

export const retryStrategy = (attempt: number) => Math.min(50 * attempt, 1_000); // reconnect within 1 s at most

// A master demoted by a failover answers writes with READONLY: reconnecting
// asks the sentinels again and reaches the new master.
const reconnectOnError = (error: Error) => error.message.startsWith('READONLY');

/** Where to connect, as ioredis options: one code path for a URL and for Sentinel. */
function connection(target: string | RedisTarget): RedisOptions & { url?: string } {
  if (typeof target === 'string') return { url: target };
  switch (target.mode) {
    case 'single':
      return { url: target.url, ...(target.password ? { password: target.password } : {}) };
    case 'sentinel':
      return {
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        ...(target.password ? { password: target.password } : {}),
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
        reconnectOnError,
      };
    case 'cluster':
      throw new Error('a Redis Cluster takes the Cluster clients (cluster-clients.ts)');
  }
}

const build = <T extends Redis>(Client: new (...args: any[]) => T, target: string | RedisTarget, options: RedisOptions): T => {
  const { url, ...where } = connection(target);
  return url === undefined ? new Client({ ...where, ...options }) : new Client(url, { ...where, ...options });
};

export function createRedisClients({ target, logger, commandTimeoutMs = 1_000 }: RedisClientOptions): RedisClients {
  // Batched (see BatchingRedis): under load a write syscall costs more than the command it carries.
  const command = build(BatchingRedis, target, {
    enableOfflineQueue: false, // answer at once while Redis is away
    maxRetriesPerRequest: 0, // a command in flight when the link drops fails, it is not replayed
    commandTimeout: commandTimeoutMs,
    retryStrategy,
    connectionName: 'state-server:command',
  });
  const subscriber = build(Redis, target, {
    maxRetriesPerRequest: null, // subscriptions wait for Redis to come back
    retryStrategy,
    connectionName: 'state-server:subscriber',
  });

  logClients(logger, { command, subscriber });
  return {
    command,
    subscriber,
    close: () => closeClients([command, subscriber]),
  };
}

/**
 * QUIT lets replies in flight arrive; a client that is not connected would
 * queue it forever, so that one is just dropped. For every client kind.
 */
export async function closeClients(clients: ReadonlyArray<{ status: string; quit(): Promise<unknown>; disconnect(): void }>): Promise<void> {
  await Promise.allSettled(clients.map((client) => (client.status === 'ready' ? client.quit() : client.disconnect())));
  for (const client of clients) client.disconnect();
}

/** Logs each role's distinct errors once and its readiness; shared by the single, Sentinel and Cluster clients. */
export function logClients(logger: Logger, clients: Record<string, EventEmitter>): void {
  let lastError = '';
  for (const [role, client] of Object.entries(clients)) {
    client.on('error', (error: Error) => {
      // One line per distinct error, not one per reconnect attempt.
      if (error.message !== lastError) logger.warn('redis error', { role, error: error.message });
      lastError = error.message;
    });
    client.on('ready', () => {
      lastError = '';
      logger.info('redis ready', { role });
    });
  }
}

/** Resolves when the client is ready or the time is up; the server starts either way. */
export function waitReady(client: Redis | Cluster, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
