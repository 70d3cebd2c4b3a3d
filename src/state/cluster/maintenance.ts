import { guard } from '../redis/context.js';
import type { ClusterContext } from './context.js';
import { decodeOps } from './context.js';
import { allPartitions as partitions, nodeRange } from './keys.js';
import type { clusterSessions } from './sessions.js';


/**
 * Maintenance on a Cluster, partition by partition, every close and expiry
 * its own single-slot step: sessions of lapsed nodes, node-less sessions
 * past their age, held-back OFFLINEs that fell due, and outboxes whose
 * derived steps an instance left unapplied. Every step is idempotent, so a
 * pass cut short is finished by the next one, on any instance.
 */
export function clusterMaintenance(ctx: ClusterContext, sessions: ReturnType<typeof clusterSessions>) {
  const { client, keys, lists, steps, options, repairDelayMs, userStep, timerUserStep, applyPending, studyRetention } = ctx;
  const closeAll = (members: string[][], now: number) =>
    Promise.all(members.map(([userId, sessionId]) => sessions.closeOwnedSession(userId!, sessionId!, now)));

  return {
    reap: (now: number, sessionMaxAgeMs: number, budget = 500) =>
      guard(async () => {
        let closed = 0;
        for (const nodeId of await client.zrangebyscore(keys.nodes(), '-inf', `(${now}`, 'LIMIT', 0, 10)) {
          if (closed >= budget) break;
          const found = await Promise.all(partitions.map((p) => client.zrangebylex(keys.nodeSessions(p), ...nodeRange(nodeId), 'LIMIT', 0, budget)));
          // `budget` bounds the whole pass, not each partition; the next pass goes on.
          const members = found.flat().slice(0, budget - closed).map((m) => m.split('\n').slice(1).reverse());
          await closeAll(members, now);
          closed += members.length;
          // Forgotten only once a pass finds none of its sessions left.
          if (members.length === 0) await steps.releaseNode(keys.nodes(), nodeId, now);
        }
        const aged = await Promise.all(
          partitions.map((p) => client.zrangebyscore(keys.unleased(p), '-inf', `(${now - sessionMaxAgeMs}`, 'LIMIT', 0, budget)),
        );
        const agedMembers = aged.flat().slice(0, Math.max(0, budget - closed)).map((m) => m.split('\n'));
        await closeAll(agedMembers, now);
        closed += agedMembers.length;

        const due = await Promise.all(partitions.map((p) => client.zrangebyscore(keys.pendingOffline(p), '-inf', now, 'LIMIT', 0, budget)));
        const expired = await Promise.all(
          due.flat().slice(0, budget).map(async (userId) => {
            const reply = await timerUserStep(userId, now, 1, steps.expireGrace, lists.grace(userId).keys, (cal) => [
              userId,
              now,
              now + repairDelayMs,
              keys.channels.presenceUser(userId),
              options.presenceRetentionSeconds,
              cal,
              keys.channels.studyUser(userId),
              studyRetention,
            ]);
            return reply[0] === 1 ? 1 : 0;
          }),
        );
        const expiring = await Promise.all(partitions.map((p) => client.zrangebyscore(keys.statusExpiry(p), '-inf', now, 'LIMIT', 0, budget)));
        await Promise.all(
          expiring.flat().slice(0, budget).map((userId) =>
            userStep(userId, 1, () => steps.expireStatusStep(...lists.status(userId).keys, userId, now, now + repairDelayMs, keys.channels.presenceUser(userId))),
          ),
        );
        return { closed, offline: expired.reduce<number>((a, b) => a + b, 0) };
      }),

    /**
     * Re-applies every outbox whose repair is due (an instance died between
     * steps, or its ack was lost), at most `limit` users a partition.
     * Resolves with how many users' outboxes it applied.
     */
    repair: (now: number, limit = 100) =>
      guard(async () => {
        const counts = await Promise.all(
          partitions.map(async (p) => {
            const due = await client.zrangebyscore(keys.outboxDue(p), '-inf', now, 'LIMIT', 0, limit);
            await Promise.all(
              due.map(async (userId) => {
                const ops = decodeOps(Object.entries(await client.hgetall(keys.outbox(userId))).flat(), 0);
                // An outbox emptied meanwhile only needs its repair entry dropped.
                if (ops.length === 0) await steps.ackOps(...lists.ack(userId).keys, userId);
                else await applyPending(userId, ops);
              }),
            );
            return due.length;
          }),
        );
        return counts.reduce((a, b) => a + b, 0);
      }),
  };
}
