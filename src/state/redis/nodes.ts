import { sessionContent } from '../records.js';
import { encodeContent } from './session-codec.js';
import type { StateEngine } from '../engine.js';
import { guard, type RedisContext } from './context.js';
import { readNodeLeases, takeLock } from './leases.js';

/** Most sessions one reap call closes, so no script holds Redis for long. */
const REAP_BATCH = 200;

/** Gateway leases, node resync, reaping and the maintenance lock. */
export function redisNodes({ client, keyPrefix, keys, ctxArgs, calendarForAllTimers }: RedisContext): Pick<
  StateEngine,
  'heartbeat' | 'syncNodeSessions' | 'reap' | 'tryLock' | 'unlock' | 'nodeLeases'
> {
  return {
    nodeLeases: (limit) => guard(() => readNodeLeases(client, keys.nodes(), limit)),

    heartbeat: (nodeId, leaseMs, now) =>
      guard(async () => {
        const [resync, expiresAt] = (await client.heartbeat(keys.nodes(), keyPrefix, nodeId, now, leaseMs)) as [number, number];
        return { nodeId, resync: resync === 1, expiresAt: Number(expiresAt) };
      }),

    syncNodeSessions: (nodeId, sessions, leaseMs, now) =>
      guard(async () => {
        const triples = sessions.flatMap((s) => [s.sessionId, s.userId, encodeContent(sessionContent({ ...s, nodeId }))]);
        const [opened, closed, unchanged, ...refused] = (await client.syncNodeSessions(
          keys.nodes(),
          keyPrefix,
          nodeId,
          leaseMs,
          ...ctxArgs(now, await calendarForAllTimers(now)),
          ...triples,
        )) as [number, number, number, ...string[]];
        return { nodeId, opened, closed, unchanged, refused };
      }),

    reap: (now, sessionMaxAgeMs) =>
      guard(async () => {
        const total = { closed: 0, offline: 0 };
        const cal = await calendarForAllTimers(now);
        for (;;) {
          const [closed, offline, more] = (await client.reap(
            keys.nodes(),
            keys.unleasedSessions(),
            keys.pendingOffline(),
            keys.statusExpiry(),
            keyPrefix,
            ...ctxArgs(now, cal),
            sessionMaxAgeMs,
            REAP_BATCH,
          )) as [number, number, number];
          total.closed += closed;
          total.offline += offline;
          if (more !== 1) return total;
        }
      }),

    tryLock: (name, ttlMs) => guard(() => takeLock(client, keys.lock(name), ttlMs)),

    unlock: (name, token) =>
      guard(async () => {
        await client.releaseLock(keys.lock(name), keyPrefix, token);
      }),

  };
}
