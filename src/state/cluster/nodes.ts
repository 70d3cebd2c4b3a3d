import { StateError } from '../../errors.js';
import { guard } from '../redis/context.js';
import { readNodeLeases, takeLock } from '../redis/leases.js';
import type { ConnectSessionInput, NodeLease, NodeSyncResult } from '../types.js';
import type { ClusterContext } from './context.js';
import { allPartitions, nodeRange } from './keys.js';
import type { clusterSessions } from './sessions.js';

/** Sessions a node sync opens or closes at once. */
const SYNC_CONCURRENCY = 200;

async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += SYNC_CONCURRENCY) await Promise.all(items.slice(i, i + SYNC_CONCURRENCY).map(run));
}

/** Gateway leases, node resync and the maintenance lock on a Cluster. */
export function clusterNodes({ client, keys, steps }: ClusterContext, sessions: ReturnType<typeof clusterSessions>) {
  return {
    /** Known gateway nodes and their lease expiry, soonest first. */
    nodeLeases: (limit: number) => guard(() => readNodeLeases(client, keys.nodes(), limit)),

    heartbeat: (nodeId: string, leaseMs: number, now: number): Promise<NodeLease> =>
      guard(async () => {
        const [resync, expiresAt] = (await steps.heartbeatStep(keys.nodes(), '', nodeId, now, leaseMs)) as [number, number];
        return { nodeId, resync: resync === 1, expiresAt: Number(expiresAt) };
      }),

    /**
     * Replaces the node's sessions with the list: the node's sessions the
     * list lacks close, listed ones open or update, each its own atomic
     * step (a single Redis does all in one; here a sync cut short is
     * completed by the gateway's next sync or by the lease reaper).
     */
    syncNodeSessions: (nodeId: string, listed: ConnectSessionInput[], leaseMs: number, now: number): Promise<NodeSyncResult> =>
      guard(async () => {
        await client.zadd(keys.nodes(), now + leaseMs, nodeId);
        const wanted = new Set(listed.map((s) => s.sessionId));
        const found = await Promise.all(allPartitions.map((p) => client.zrangebylex(keys.nodeSessions(p), ...nodeRange(nodeId))));
        const stale = found.flat().map((m) => m.split('\n')).filter(([, sessionId]) => !wanted.has(sessionId!));
        const result: NodeSyncResult = { nodeId, opened: 0, closed: 0, unchanged: 0, refused: [] };
        await inChunks(stale, async ([, sessionId, userId]) => {
          await sessions.closeOwnedSession(userId!, sessionId!, now);
          result.closed++;
        });
        await inChunks(listed, async (input) => {
          try {
            const { changed, session } = await sessions.connectSession({ ...input, nodeId }, now);
            if (changed) result.opened++;
            else if (session) result.unchanged++;
            else result.refused.push(input.sessionId);
          } catch (error) {
            // Held by another user: refused, as on a single Redis.
            if (error instanceof StateError && error.code === 'BAD_USER_INPUT') result.refused.push(input.sessionId);
            else throw error;
          }
        });
        // In the list's order, as on a single Redis.
        const order = new Map(listed.map((s, i) => [s.sessionId, i]));
        result.refused.sort((a, b) => order.get(a)! - order.get(b)!);
        return result;
      }),

    tryLock: (name: string, ttlMs: number) => guard(() => takeLock(client, keys.lock(name), ttlMs)),

    unlock: (name: string, token: string) =>
      guard(async () => {
        await steps.releaseLock(keys.lock(name), '', token);
      }),
  };
}
