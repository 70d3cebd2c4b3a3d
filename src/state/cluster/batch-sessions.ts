import { badInput } from '../../errors.js';
import { itemResult, refusedItem } from '../batch.js';
import { sessionContent, toConnection, toSession } from '../records.js';
import { guard, num } from '../redis/context.js';
import { NEEDS_CALENDAR } from '../redis/calendar-args.js';
import { decodeRecord, encodeContent } from '../redis/session-codec.js';
import type { ConnectSessionInput, SessionItem, SessionResult } from '../types.js';
import { decodeOps, type ClusterContext, type Op } from './context.js';
import { partitionOf } from './keys.js';
import type { ClusterSessions } from './sessions.js';

/**
 * Batch ingest on a Cluster: the steps of connectSession and
 * disconnectSession, each run for all items at once with one batch call
 * per partition (or per guild, for the derived steps), so 1,000 connects
 * cost a few calls per shard instead of six each.
 */
export function clusterBatchSessions(ctx: ClusterContext, sessions: ClusterSessions) {
  const { client, options, keys, lists, steps, repairDelayMs, grouped, applyPendingOf, connectionOf, daysOf, calendarArg, studyRetention } = ctx;
  const { tombstoneSeconds, graceMs, defaultLeaseMs } = options;
  const claimItem = (sessionId: string, arg: string | number) => ({ keys: lists.claim(sessionId).keys, args: [sessionId, arg] });

  /** Each user's pending ops from the last of their replies (a user step returns every op not yet acknowledged). */
  function opsOf(userIds: readonly string[], replies: readonly unknown[]): Map<string, Op[]> {
    const out = new Map<string, Op[]>();
    replies.forEach((reply, i) => out.set(userIds[i]!, decodeOps(reply as unknown[], 6)));
    return out;
  }

  /** The derived steps after the user steps, as a single call runs them. */
  async function follow(userIds: readonly string[], replies: readonly unknown[]) {
    options.afterUserStep?.();
    await applyPendingOf(opsOf(userIds, replies));
  }

  /** A session's result from its user step's reply. */
  function resultOf(userId: string, sessionId: string, reply: unknown[], opened: boolean): SessionResult {
    const { status, record, connection } = connectionOf(userId, reply);
    if (opened) return { changed: status === 'CHANGED', session: record === null ? null : toSession(sessionId, userId, decodeRecord(record)), connection };
    if (status !== 'CLOSED' || record === null) return { changed: false, session: null, connection: null };
    return { changed: true, session: toSession(sessionId, userId, decodeRecord(record)), connection };
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
        else {
          // A CONNECT for a closed session opens nothing (rare: read its user alone).
          const [count, room, last, pend] = await client.hmget(keys.user(input.userId), 'n', 'room', 'last', 'pend');
          out[i] = itemResult({ changed: false, session: null, connection: toConnection(input.userId, Number(count ?? 0), room ?? null, num(last), pend !== null) });
        }
      }),
    );
    open.sort((a, b) => a - b);
    const due = now + repairDelayMs;
    const replies = await grouped(open, (i) => partitionOf(inputs[i]!.userId), (i) => {
      const { userId, sessionId } = inputs[i]!;
      return { keys: lists.user(userId, sessionId).keys, args: [userId, sessionId, encodeContent(sessionContent(inputs[i]!)), now, due, keys.channels.presenceUser(userId)] };
    }, steps.openSessionSteps);
    await follow(open.map((i) => inputs[i]!.userId), replies);
    open.forEach((i, j) => (out[i] = itemResult(resultOf(inputs[i]!.userId, inputs[i]!.sessionId, replies[j] as unknown[], true))));
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
    const due = now + repairDelayMs;
    const replies = await grouped(known, (i) => partitionOf(owners[i]!), (i) => {
      const userId = owners[i]!;
      const sessionId = sessionIds[i]!;
      return {
        keys: [...lists.user(userId, sessionId).keys, ...lists.study(partitionOf(userId), daysOf(cal)).keys],
        args: [userId, sessionId, now, due, keys.channels.presenceUser(userId), graceMs, options.presenceRetentionSeconds, tombstoneSeconds, cal, keys.channels.studyUser(userId), studyRetention],
      };
    }, steps.closeSessionSteps);
    // An item whose timer began before the usual calendar wrote nothing: it closes alone, with a calendar reaching it.
    const done = known.filter((_, j) => (replies[j] as unknown[])[0] !== NEEDS_CALENDAR);
    const doneReplies = replies.filter((reply) => (reply as unknown[])[0] !== NEEDS_CALENDAR);
    await follow(done.map((i) => owners[i]!), doneReplies);
    done.forEach((i, j) => (out[i] = itemResult(resultOf(owners[i]!, sessionIds[i]!, doneReplies[j] as unknown[], false))));
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
