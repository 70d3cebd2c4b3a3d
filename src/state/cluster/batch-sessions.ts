import { badInput } from '../../errors.js';
import { itemResult, refusedItem } from '../batch.js';
import { guard } from '../redis/context.js';
import { NEEDS_CALENDAR } from '../redis/calendar-args.js';
import type { ConnectSessionInput, SessionItem } from '../types.js';
import { decodeOps, type ClusterContext, type Op } from './context.js';
import { SESSION_OPS_FROM } from './sessions.js';
import { partitionOf } from './keys.js';
import { sessionStepParts, type ClusterSessions } from './sessions.js';

/**
 * Batch ingest on a Cluster: the steps of connectSession and
 * disconnectSession, each run for all items at once with one batch call
 * per partition (or per guild, for the derived steps), so 1,000 connects
 * cost a few calls per shard instead of six each.
 */
export function clusterBatchSessions(ctx: ClusterContext, sessions: ClusterSessions) {
  const { client, options, keys, lists, steps, grouped, applyPendingOf, daysOf, calendarArg } = ctx;
  const { tombstoneSeconds, defaultLeaseMs } = options;
  const { openArgs, closeArgs, opened, closed, tombstoned } = sessionStepParts(ctx);
  const claimItem = (sessionId: string, arg: string | number) => ({ keys: lists.claim(sessionId).keys, args: [sessionId, arg] });

  /** Each user's pending ops from the last of their replies (a user step returns every op not yet acknowledged). */
  function opsOf(userIds: readonly string[], replies: readonly unknown[]): Map<string, Op[]> {
    const out = new Map<string, Op[]>();
    replies.forEach((reply, i) => out.set(userIds[i]!, decodeOps(reply as unknown[], SESSION_OPS_FROM)));
    return out;
  }

  /** The derived steps after the user steps, as a single call runs them. */
  async function follow(userIds: readonly string[], replies: readonly unknown[]) {
    options.afterUserStep?.();
    await applyPendingOf(opsOf(userIds, replies));
  }

  async function connectSessions(inputs: readonly ConnectSessionInput[], now: number): Promise<SessionItem[]> {
    const out = new Array<SessionItem>(inputs.length);
    const nodes = new Set(inputs.flatMap((i) => (i.nodeId === null ? [] : [i.nodeId])));
    const [claims] = await Promise.all([
      grouped(inputs, (i) => partitionOf(i.sessionId), (i) => claimItem(i.sessionId, i.userId), steps.claimSessions),
      // A node's lease starts with its first session, as for a single connect.
      ...[...nodes].map((nodeId) => client.zadd(keys.nodes(), 'NX', now + defaultLeaseMs, nodeId)),
    ]);
    const open: number[] = [];
    await Promise.all(
      inputs.map(async (input, i) => {
        if (claims[i] === 'OWNED') out[i] = refusedItem(badInput(`session ${input.sessionId} belongs to another user`));
        else if (claims[i] !== 'TOMB') open.push(i);
        // A CONNECT for a closed session opens nothing (rare: its user is read alone).
        else out[i] = itemResult(await tombstoned(input.userId));
      }),
    );
    open.sort((a, b) => a - b);
    const replies = await grouped(
      open,
      (i) => partitionOf(inputs[i]!.userId),
      (i) => ({ keys: lists.user(inputs[i]!.userId, inputs[i]!.sessionId).keys, args: openArgs(inputs[i]!, now) }),
      steps.openSessionSteps,
    );
    await follow(open.map((i) => inputs[i]!.userId), replies);
    open.forEach((i, j) => (out[i] = itemResult(opened(inputs[i]!.userId, inputs[i]!.sessionId, replies[j] as unknown[]))));
    return out;
  }

  async function disconnectSessions(sessionIds: readonly string[], now: number): Promise<SessionItem[]> {
    const out = new Array<SessionItem>(sessionIds.length);
    const owners = (await grouped(sessionIds, partitionOf, (id) => claimItem(id, tombstoneSeconds), steps.markClosedMany)) as Array<string | null>;
    const known: number[] = [];
    owners.forEach((owner, i) => {
      if (owner === null) out[i] = itemResult({ changed: false, session: null, connection: null });
      else known.push(i);
    });
    const cal = calendarArg(now);
    const replies = await grouped(known, (i) => partitionOf(owners[i]!), (i) => {
      const userId = owners[i]!;
      const sessionId = sessionIds[i]!;
      return { keys: [...lists.user(userId, sessionId).keys, ...lists.study(partitionOf(userId), daysOf(cal)).keys], args: closeArgs(userId, sessionId, now, cal) };
    }, steps.closeSessionSteps);
    // An item whose timer began before the usual calendar wrote nothing: it closes alone, with a calendar reaching it.
    const done = known.filter((_, j) => (replies[j] as unknown[])[0] !== NEEDS_CALENDAR);
    const doneReplies = replies.filter((reply) => (reply as unknown[])[0] !== NEEDS_CALENDAR);
    await follow(done.map((i) => owners[i]!), doneReplies);
    done.forEach((i, j) => (out[i] = itemResult(closed(owners[i]!, sessionIds[i]!, doneReplies[j] as unknown[]))));
    await Promise.all(
      known
        .filter((i) => out[i] === undefined)
        .map(async (i) => (out[i] = itemResult(await sessions.closeOwnedSession(owners[i]!, sessionIds[i]!, now)))),
    );
    return out;
  }

  return {
    connectSessions: (inputs: readonly ConnectSessionInput[], now: number) => guard(() => connectSessions(inputs, now)),
    disconnectSessions: (sessionIds: readonly string[], now: number) => guard(() => disconnectSessions(sessionIds, now)),
  };
}
