import { sessionContent } from '../records.js';
import type { StateEngine } from '../engine.js';
import { fieldsOf, type MemoryStore } from './store.js';
import { presenceView } from '../status.js';
import type { SessionSteps } from './sessions-steps.js';

/** Gateway leases, node resync, reaping; the lock is always free in one process. */
export function memoryNodes(
  { nodes, nodeSessions, unleased, pending, statusExpiry, liveUser, goOffline, publishChanges }: MemoryStore,
  { openSession, closeSession }: SessionSteps,
): Pick<
  StateEngine,
  'heartbeat' | 'syncNodeSessions' | 'reap' | 'tryLock' | 'unlock' | 'nodeLeases'
> {
  return {
    async nodeLeases(limit) {
      const sorted = [...nodes].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      return sorted.slice(0, limit).map(([nodeId, expiresAt]) => ({ nodeId, expiresAt }));
    },

    async heartbeat(nodeId, leaseMs, now) {
      const known = nodes.get(nodeId);
      nodes.set(nodeId, now + leaseMs);
      return { nodeId, resync: known === undefined || known <= now, expiresAt: now + leaseMs };
    },

    async syncNodeSessions(nodeId, sessions, leaseMs, now) {
      const listed = new Set(sessions.map((s) => s.sessionId));
      let closed = 0;
      for (const sessionId of [...(nodeSessions.get(nodeId) ?? [])]) {
        if (listed.has(sessionId)) continue;
        closeSession(sessionId, now);
        closed += 1;
      }
      let opened = 0;
      let unchanged = 0;
      const refused: string[] = [];
      for (const s of sessions) {
        const result = openSession(s.userId, s.sessionId, sessionContent({ ...s, nodeId }), now);
        if (result.status === 'CHANGED') opened += 1;
        else if (result.status === 'SAME') unchanged += 1;
        else refused.push(s.sessionId);
      }
      nodes.set(nodeId, now + leaseMs);
      return { nodeId, opened, closed, unchanged, refused };
    },

    async reap(now, sessionMaxAgeMs) {
      let closed = 0;
      let offline = 0;
      for (const [nodeId, expiresAt] of [...nodes]) {
        if (expiresAt >= now) continue;
        for (const sessionId of [...(nodeSessions.get(nodeId) ?? [])]) {
          closeSession(sessionId, now);
          closed += 1;
        }
        nodeSessions.delete(nodeId);
        nodes.delete(nodeId);
      }
      for (const [sessionId, connectedAt] of [...unleased]) {
        if (connectedAt >= now - sessionMaxAgeMs) continue;
        closeSession(sessionId, now);
        unleased.delete(sessionId);
        closed += 1;
      }
      for (const [userId, due] of [...pending]) {
        if (due > now) continue;
        pending.delete(userId);
        const user = liveUser(userId);
        if (!user || user.pendingSince === null || user.sessions.size > 0) continue;
        goOffline(userId, user, user.pendingSince, presenceView(fieldsOf(user)), now);
        offline += 1;
      }
      for (const [userId, due] of [...statusExpiry]) {
        if (due > now) continue;
        statusExpiry.delete(userId);
        const user = liveUser(userId);
        const at = user?.customStatus?.expiresAt;
        if (!user || at === undefined || at === null || at > now) continue;
        const before = presenceView(fieldsOf(user));
        user.customStatus = null;
        publishChanges(userId, user, before, now);
      }
      return { closed, offline };
    },

    // One process: the lock is always free.
    async tryLock() {
      return 'memory';
    },
    async unlock() {},

  };
}
