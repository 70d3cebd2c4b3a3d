import { badInput } from '../../errors.js';
import { sessionContent, toConnection, toSession } from '../records.js';
import type { ConnectionStates, ConnectSessionInput, PresenceSnapshotEntry, Session, SessionResult, UserConnection } from '../types.js';
import { guard, lines, num } from '../redis/context.js';
import { decodeConnectionRecords, decodePresenceSnapshot, decodeRecord, encodeContent } from '../redis/session-codec.js';
import type { ClusterContext } from './context.js';
import { groupByPartition, partitionOf } from './keys.js';

/**
 * Sessions and presence on a Redis Cluster, as steps of one slot each
 * (docs/cluster-layout.md): claim in the session id's partition, the user
 * step in the user's partition (the source of truth), then one derived step
 * per guild and for the index, which apply the user's outbox.
 */
export function clusterSessions(ctx: ClusterContext) {
  const { client, options, keys, lists, steps, repairDelayMs, userStep, timerUserStep, connectionOf, counted, studyRetention } = ctx;
  const { tombstoneSeconds, graceMs, defaultLeaseMs } = options;
  const userStepKeys = (userId: string, sessionId: string) => lists.user(userId, sessionId).keys;
  const channelOf = (userId: string) => keys.channels.presenceUser(userId);

  /** Closes a session for its owner (known from the index or a node's list); the tombstone is set first. */
  async function close(userId: string, sessionId: string, now: number): Promise<SessionResult> {
    // The last close stops the study timer.
    const reply = await timerUserStep(userId, now, 6, steps.closeSessionStep, userStepKeys(userId, sessionId), (cal) => [
      userId,
      sessionId,
      now,
      now + repairDelayMs,
      channelOf(userId),
      graceMs,
      options.presenceRetentionSeconds,
      tombstoneSeconds,
      cal,
      keys.channels.studyUser(userId),
      studyRetention,
    ]);
    const { status, record, connection } = connectionOf(userId, reply);
    if (status !== 'CLOSED' || record === null) return { changed: false, session: null, connection: null };
    return { changed: true, session: toSession(sessionId, userId, decodeRecord(record)), connection };
  }

  return {
    connectSession: (input: ConnectSessionInput, now: number): Promise<SessionResult> =>
      guard(async () => {
        const { userId, sessionId, nodeId } = input;
        const [claim] = await Promise.all([
          steps.claimSession(...lists.claim(sessionId).keys, sessionId, userId),
          // A node's lease starts with its first session, as on a single Redis.
          nodeId === null ? null : client.zadd(keys.nodes(), 'NX', now + defaultLeaseMs, nodeId),
        ]);
        if (claim === 'OWNED') throw badInput(`session ${sessionId} belongs to another user`);
        if (claim === 'TOMB') {
          const [count, room, last, pend] = await client.hmget(keys.user(userId), 'n', 'room', 'last', 'pend');
          const connection = toConnection(userId, Number(count ?? 0), room ?? null, num(last), pend !== null);
          return { changed: false, session: null, connection };
        }
        const content = encodeContent(sessionContent(input));
        const { reply } = await userStep(userId, 6, () =>
          steps.openSessionStep(...userStepKeys(userId, sessionId), userId, sessionId, content, now, now + repairDelayMs, channelOf(userId)),
        );
        const { status, record, connection } = connectionOf(userId, reply);
        return {
          changed: status === 'CHANGED',
          session: record === null ? null : toSession(sessionId, userId, decodeRecord(record)),
          connection,
        };
      }),

    disconnectSession: (sessionId: string, now: number): Promise<SessionResult> =>
      guard(async () => {
        const userId = (await steps.markClosed(...lists.claim(sessionId).keys, sessionId, tombstoneSeconds)) as string | null;
        if (userId === null) return { changed: false, session: null, connection: null };
        return close(userId, sessionId, now);
      }),

    /** Closes a session whose owner the caller knows (the reaper); sets the tombstone first, as a disconnect does. */
    closeOwnedSession: async (userId: string, sessionId: string, now: number) => {
      await steps.markClosed(...lists.claim(sessionId).keys, sessionId, tombstoneSeconds);
      return close(userId, sessionId, now);
    },

    /** One call per partition that holds any of the users, sent together: one round trip per master. */
    connectionStates: (userIds: readonly string[]): Promise<ConnectionStates> =>
      guard(async () => {
        const groups = groupByPartition(userIds, partitionOf);
        const connections = new Array<UserConnection>(userIds.length);
        const guilds: string[] = new Array(userIds.length);
        await Promise.all(
          [...groups.values()].map(async (indexes) => {
            const ids = indexes.map((i) => userIds[i]!);
            const reply = (await steps.readConnections(ids.length, ...ids.map(keys.user))) as string;
            decodeConnectionRecords(reply, ids, connections, guilds, (j) => indexes[j]!);
          }),
        );
        return { connections, guildIdsOf: (i: number) => lines(guilds[i]) };
      }),

    getSession: (sessionId: string): Promise<Session | null> =>
      guard(async () => {
        const userId = await client.hget(keys.sessionIndex(sessionId), sessionId);
        if (userId === null) return null;
        const record = await client.hget(keys.user(userId), `s:${sessionId}`);
        return record === null ? null : toSession(sessionId, userId, decodeRecord(record));
      }),

    /**
     * Presence of users with their versions, one step per partition. For a
     * guild, its view is the truth: who it has online and the version of the
     * transition it applied, so the guild's own events (which may still be on
     * their way from a user step) continue the snapshot without a gap.
     */
    presenceSnapshot: (target: { guildId: string } | { userIds: string[] }): Promise<PresenceSnapshotEntry[]> =>
      guard(async () => {
        const view = 'guildId' in target ? await client.hgetall(keys.guildOnline(target.guildId)) : null;
        const userIds = view ? Object.keys(view) : (target as { userIds: string[] }).userIds;
        const pages = await Promise.all(
          [...groupByPartition(userIds, partitionOf).values()].map(async (indexes) => {
            const ids = indexes.map((i) => userIds[i]!);
            return decodePresenceSnapshot((await steps.readPresence(...counted(ids.map(keys.user)), ...ids)) as Array<string | number>);
          }),
        );
        const byUser = new Map(pages.flat().map((e) => [e.userId, e]));
        return userIds.map((id) => {
          const entry = byUser.get(id)!;
          return view ? { ...entry, online: true, version: Number(view[id]) } : entry;
        });
      }),

    /** Users online in a guild, as its view says. */
    guildOnline: (guildId: string) => guard(() => client.hkeys(keys.guildOnline(guildId))),
  };
}

export type ClusterSessions = ReturnType<typeof clusterSessions>;
