import type { Cluster, Redis } from 'ioredis';
import type { PresenceExplanation } from '../types.js';
import { guard } from './context.js';
import { explainFromHash, lastClosedId, nodesOf } from './explain-codec.js';

/** The keys presenceExplain reads, in either Redis layout. */
export interface ExplainKeys {
  user: string;
  pendingOffline: string;
  nodes: string;
  tombstone: (sessionId: string) => string;
}

/** presenceExplain on either Redis engine: plain reads (a debugging query, not a hot path), in two round trips. */
export const explainUser = (client: Redis | Cluster, userId: string, keys: ExplainKeys): Promise<PresenceExplanation> =>
  guard(async () => {
    const hash = await client.hgetall(keys.user);
    const nodes = nodesOf(hash);
    const closed = lastClosedId(hash);
    const [due, tombstoned, ...leases] = await Promise.all([
      client.zscore(keys.pendingOffline, userId),
      closed === null ? Promise.resolve(0) : client.exists(keys.tombstone(closed)),
      ...nodes.map((nodeId) => client.zscore(keys.nodes, nodeId)),
    ]);
    const leaseByNode = new Map(nodes.map((nodeId, i) => [nodeId, leases[i] === null ? null : Number(leases[i])]));
    return explainFromHash(userId, hash, {
      leaseOf: (nodeId) => leaseByNode.get(nodeId) ?? null,
      pendingDueAt: due === null ? null : Number(due),
      lastClosedTombstoned: tombstoned === 1,
    });
  });
