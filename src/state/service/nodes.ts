import { badInput } from '../../errors.js';
import { assertId, assertInt } from '../../validate.js';
import type { StateService, StateServiceDeps } from './contract.js';
import { sessionInput } from './presence.js';

/** Most nodes nodeLeases lists. */
const MAX_LISTED_NODES = 1_000;
/** Most sessions one syncNodeSessions call takes. */
export const MAX_NODE_SESSIONS = 10_000;
/** How long one instance holds the maintenance lock at most. */
const MAINTENANCE_LOCK_MS = 10_000;

/** Gateway nodes: their leases, their resync, and the maintenance pass that reaps lapsed ones. */
export function nodeService(
  { engine, clock, reliability }: StateServiceDeps,
  closeEndedDays: StateService['closeEndedDays'],
): Pick<StateService, 'heartbeat' | 'nodeLeases' | 'syncNodeSessions' | 'maintain'> {
  const leaseMs = (ttlSeconds: unknown) =>
    1000 * (ttlSeconds === null || ttlSeconds === undefined ? reliability.nodeLeaseSeconds : assertInt(ttlSeconds, 'ttlSeconds', 1, 3600));
  return {
    heartbeat: async (nodeId, ttlSeconds) => engine.heartbeat(assertId(nodeId, 'nodeId'), leaseMs(ttlSeconds), clock.now()),
    async nodeLeases() {
      const now = clock.now();
      return (await engine.nodeLeases(MAX_LISTED_NODES)).map(({ nodeId, expiresAt }) => ({ nodeId, expiresAt, resync: expiresAt <= now }));
    },
    async syncNodeSessions({ nodeId, sessions, ttlSeconds }) {
      const node = assertId(nodeId, 'nodeId');
      if (sessions.length > MAX_NODE_SESSIONS) throw badInput(`sessions holds at most ${MAX_NODE_SESSIONS}, got ${sessions.length}`);
      const valid = sessions.map((s, i) => ({ ...sessionInput({ ...s, nodeId: null }, `sessions[${i}]`), nodeId: node }));
      if (new Set(valid.map((s) => s.sessionId)).size !== valid.length) throw badInput('sessions lists a sessionId twice');
      return engine.syncNodeSessions(node, valid, leaseMs(ttlSeconds), clock.now());
    },
    async maintain() {
      const token = await engine.tryLock('maintenance', MAINTENANCE_LOCK_MS);
      let reaped = { closed: 0, offline: 0 };
      if (token) {
        try {
          reaped = await engine.reap(clock.now(), reliability.sessionMaxAgeSeconds * 1000);
        } finally {
          await engine.unlock('maintenance', token);
        }
      }
      return { ...reaped, days: await closeEndedDays() };
    },

  };
}
