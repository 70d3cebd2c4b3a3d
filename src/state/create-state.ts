import { createMemoryRateLimiter, type RateLimiter } from '../rate-limit/limiter.js';
import type { Clock } from '../clock.js';
import { createReplicaAcks } from './redis/replica-acks.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Cluster, Redis } from 'ioredis';
import { createEventBus, type EventBusOptions, type Transport } from '../pubsub/event-bus.js';
import type { StateBus, TopicPayloads } from './topics.js';
import { createMemoryTransport } from '../pubsub/memory-transport.js';
import { createRedisTransport } from '../pubsub/redis-transport.js';
import { createStudyCalendar } from './calendar.js';
import { createMemoryEngine } from './memory/engine.js';
import { createRedisClients, waitReady } from './redis/clients.js';
import { createRedisEngine } from './redis/engine.js';
import { createClusterClients } from './redis/cluster-clients.js';
import { createClusterEngine } from './cluster/engine.js';
import { clusterChannelsOf, createClusterKeys } from './cluster/keys.js';
import { createShardedTransport } from '../pubsub/sharded-transport.js';
import { createRedisRateLimiter } from '../rate-limit/redis.js';
import type { StateEngine } from './engine.js';
import { createStateService, type StateService } from './service.js';

export type EngineName = 'memory' | 'redis' | 'cluster';

export interface StateRuntime {
  engine: EngineName;
  service: StateService;
  bus: StateBus;
  /** Per-caller operation counts (in Redis with the Redis engine, so limits hold across instances). */
  rateLimiter: RateLimiter;
  close(): Promise<void>;
}

type StateConfig = Pick<
  Config,
  | 'redis'
  | 'keyPrefix'
  | 'presenceRetentionSeconds'
  | 'subscriptionBufferSize'
  | 'subscriptionMaxLagMs'
  | 'redisCommandTimeoutMs'
  | 'redisWaitReplicas'
  | 'redisWaitTimeoutMs'
  | 'studyDayStart'
  | 'studyTimezone'
  | 'studyRetentionDays'
  | 'studyCloseDelaySeconds'
  | 'reliability'
  | 'guildCountsIntervalMs'
  | 'resume'
>;

/** What the app hooks into the state layer (metrics). */
export interface StateHooks extends Pick<EventBusOptions, 'onShed' | 'onDelivered' | 'onReceived'> {
  /** Wraps the engine, e.g. to time its calls. */
  instrumentEngine?: (engine: StateEngine, name: EngineName) => StateEngine;
}

/** Picks the engine from the configuration: Redis when a Redis setting (URL or Sentinel) is there, the Cluster layer with REDIS_CLUSTER_NODES, memory otherwise. */
export async function createState(
  config: StateConfig,
  clock: Clock,
  logger: Logger,
  { instrumentEngine = (engine) => engine, ...busHooks }: StateHooks = {},
): Promise<StateRuntime> {
  const calendar = createStudyCalendar(config.studyDayStart, config.studyTimezone);
  const retention = {
    presenceRetentionSeconds: config.presenceRetentionSeconds,
    studyRetentionDays: config.studyRetentionDays,
    tombstoneSeconds: config.reliability.tombstoneSeconds,
    graceMs: config.reliability.presenceGraceMs,
    defaultLeaseMs: config.reliability.nodeLeaseSeconds * 1000,
    calendar,
    resume: config.resume,
  };
  const serviceOptions = {
    clock,
    calendar,
    studyRetentionDays: config.studyRetentionDays,
    closeDelayMs: config.studyCloseDelaySeconds * 1000,
    reliability: config.reliability,
    guildCountsIntervalMs: config.guildCountsIntervalMs,
  };
  const busOptions: EventBusOptions = {
    bufferSize: config.subscriptionBufferSize,
    subscribeTimeoutMs: 2 * config.redisCommandTimeoutMs,
    maxLagMs: config.subscriptionMaxLagMs,
    ...busHooks,
  };

  const target = config.redis;
  if (!target) {
    const bus = createEventBus<TopicPayloads>(createMemoryTransport(), busOptions);
    const engine = instrumentEngine(createMemoryEngine({ bus, clock, ...retention }), 'memory');
    return {
      engine: 'memory',
      bus,
      rateLimiter: createMemoryRateLimiter(clock),
      service: createStateService({ engine, bus, ...serviceOptions }),
      close: async () => {
        await engine.close();
        await bus.close();
      },
    };
  }

  // Both Redis kinds: clients, the engine on the command client, the bus on its transport.
  const onRedis = async (
    name: 'redis' | 'cluster',
    clients: { command: Redis | Cluster; close(): Promise<void> },
    engine: StateEngine,
    transport: Transport,
  ): Promise<StateRuntime> => {
    const bus = createEventBus<TopicPayloads>(transport, busOptions);
    const instrumented = instrumentEngine(engine, name);
    if (!(await waitReady(clients.command, 2 * config.redisCommandTimeoutMs))) {
      logger.warn('redis not reachable yet; answering STATE_UNAVAILABLE until it is', { engine: name });
    }
    return {
      engine: name,
      bus,
      rateLimiter: createRedisRateLimiter(clients.command, config.keyPrefix),
      service: createStateService({ engine: instrumented, bus, ...serviceOptions }),
      close: async () => {
        await bus.close();
        await clients.close();
      },
    };
  };
  const { keyPrefix } = config;
  const commandTimeoutMs = config.redisCommandTimeoutMs;
  const replicaAcks = config.redisWaitReplicas > 0 ? createReplicaAcks({ replicas: config.redisWaitReplicas, timeoutMs: config.redisWaitTimeoutMs }) : null;

  if (target.mode === 'cluster') {
    const clients = createClusterClients({ target, logger, commandTimeoutMs });
    const channelsOf = clusterChannelsOf(createClusterKeys(keyPrefix));
    return onRedis(
      'cluster',
      clients,
      createClusterEngine({ client: clients.command, keyPrefix, replicaAcks, ...retention }),
      createShardedTransport({ publisher: clients.command, subscriber: clients.subscriber, keyPrefix, channelsOf }),
    );
  }
  const clients = createRedisClients({ target, logger, commandTimeoutMs });
  return onRedis(
    'redis',
    clients,
    createRedisEngine({ client: clients.command, keyPrefix, replicaAcks, ...retention }),
    createRedisTransport({ publisher: clients.command, subscriber: clients.subscriber, keyPrefix }),
  );
}
