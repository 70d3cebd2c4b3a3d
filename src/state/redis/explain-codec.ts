import type { PresenceExplanation } from '../types.js';
import { connectionOf, toSession } from '../records.js';
import { decodeRecord, storedConnection } from './session-codec.js';

/** What presenceExplain reads besides the user hash, per engine layout. */
export interface ExplainExtras {
  /** Lease expiry of each node the sessions name. */
  leaseOf(nodeId: string): number | null;
  pendingDueAt: number | null;
  lastClosedTombstoned: boolean;
}

/**
 * presenceExplain from a user hash (lib/session-records.lua's fields, the
 * same on a single Redis and a Cluster) and the engine's extras.
 */
export function explainFromHash(userId: string, hash: Record<string, string>, extras: ExplainExtras): PresenceExplanation {
  const connection = connectionOf(userId, storedConnection(hash));
  const sessions = Object.entries(hash)
    .filter(([field]) => field.startsWith('s:'))
    .map(([field, record]) => {
      const session = toSession(field.slice(2), userId, decodeRecord(record));
      return { ...session, leaseExpiresAt: session.nodeId === null ? null : extras.leaseOf(session.nodeId) };
    })
    .sort((a, b) => a.connectedAt - b.connectedAt || (a.sessionId < b.sessionId ? -1 : 1));
  const [closedId, closedAt] = (hash.rc ?? '').split('\t');
  return {
    userId,
    connection,
    sessions,
    pendingSince: hash.pend ? Number(hash.pend) : null,
    pendingDueAt: hash.pend ? extras.pendingDueAt : null,
    lastClosed: closedId ? { sessionId: closedId, closedAt: Number(closedAt), tombstoned: extras.lastClosedTombstoned } : null,
    chosenStatus: hash.st === 'DND' || hash.st === 'INVISIBLE' ? hash.st : 'ONLINE',
    customStatus: hash.cs ? (JSON.parse(hash.cs) as PresenceExplanation['customStatus']) : null,
    voice: hash.vg && hash.vc ? { guildId: hash.vg, channelId: hash.vc } : null,
    studyTimerStartedAt: hash.ts ? Number(hash.ts) : null,
  };
}

/** The node ids the hash's sessions name. */
export const nodesOf = (hash: Record<string, string>) =>
  [...new Set(Object.entries(hash).flatMap(([field, record]) => (field.startsWith('s:') ? [decodeRecord(record).n ?? ''] : [])).filter((n) => n !== ''))];

export const lastClosedId = (hash: Record<string, string>) => (hash.rc ?? '').split('\t')[0] || null;
