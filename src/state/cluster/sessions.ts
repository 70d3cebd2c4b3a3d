import { badInput } from '../../errors.js';
import { sessionContent, toSession } from '../records.js';
import type { Activity, ConnectionStates, ConnectSessionInput, PresenceSnapshotEntry, Session, SessionResult, SetUserStatusInput, UserConnection } from '../types.js';
import { guard, lines } from '../redis/context.js';
import { decodeConnection, decodeConnectionRecords, decodePresenceSnapshot, decodeRecord, encodeContent } from '../redis/session-codec.js';
import { customStatusArgs } from '../status-args.js';
import { explainUser } from '../redis/explain.js';
import type { ClusterContext } from './context.js';
import { groupByPartition, partitionOf } from './keys.js';

/** Where a sessions user step's pending ops start in its reply (after status, record, connection_record). */
export const SESSION_OPS_FROM = 3;

/**
 * The session steps' arguments and replies, shared by the single calls
 * (clusterSessions) and batch ingest (batch-sessions.ts).
 */
export function sessionStepParts(ctx: ClusterContext) {
  const { options, keys, steps, repairDelayMs, connectionOf, studyRetention } = ctx;
  const channelOf = (userId: string) => keys.channels.presenceUser(userId);
  return {
    /** open-session.lua's ARGV. */
    openArgs: (input: ConnectSessionInput, now: number) =>
      [input.userId, input.sessionId, encodeContent(sessionContent(input)), now, now + repairDelayMs, channelOf(input.userId)],
    /** close-session.lua's ARGV for a calendar. */
    closeArgs: (userId: string, sessionId: string, now: number, cal: string) => [
      userId,
      sessionId,
      now,
      now + repairDelayMs,
      channelOf(userId),
      options.graceMs,
      options.presenceRetentionSeconds,
      options.tombstoneSeconds,
      cal,
      keys.channels.studyUser(userId),
      studyRetention,
    ],
    /** A connect's result from open-session.lua's reply. */
    opened(userId: string, sessionId: string, reply: unknown[]): SessionResult {
      const { status, record, connection } = connectionOf(userId, reply);
      return { changed: status === 'CHANGED', session: record === null ? null : toSession(sessionId, userId, decodeRecord(record)), connection };
    },
    /** A disconnect's result from close-session.lua's reply. */
    closed(userId: string, sessionId: string, reply: unknown[]): SessionResult {
      const { status, record, connection } = connectionOf(userId, reply);
      if (status !== 'CLOSED' || record === null || connection === null) return { changed: false, session: null, connection: null };
      return { changed: true, session: toSession(sessionId, userId, decodeRecord(record)), connection };
    },
    /** A CONNECT for a closed session (tombstone) opens nothing: the user's connection as it is. */
    async tombstoned(userId: string): Promise<SessionResult> {
      const record = (await steps.readConnections(1, keys.user(userId))) as string;
      return { changed: false, session: null, connection: decodeConnection(userId, record) };
    },
  };
}

/**
 * Sessions and presence on a Redis Cluster, as steps of one slot each
 * (docs/cluster-layout.md): claim in the session id's partition, the user
 * step in the user's partition (the source of truth), then one derived step
 * per guild and for the index, which apply the user's outbox.
 */
export function clusterSessions(ctx: ClusterContext) {
  const { client, options, keys, lists, steps, userStep, timerUserStep, counted, repairDelayMs } = ctx;
  const { tombstoneSeconds, defaultLeaseMs } = options;
  const { openArgs, closeArgs, opened, closed, tombstoned } = sessionStepParts(ctx);
  const userStepKeys = (userId: string, sessionId: string) => lists.user(userId, sessionId).keys;
  /** A guild's online members with the version of the transition it applied to each, read in one step. */
  async function guildView(guildId: string): Promise<Record<string, string>> {
    const flat = (await steps.readGuildView(keys.guildOnline(guildId), keys.guildSeen(guildId))) as string[];
    const view: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) view[flat[i]!] = flat[i + 1]!;
    return view;
  }

  /** Closes a session for its owner (known from the index or a node's list); the tombstone is set first. */
  async function close(userId: string, sessionId: string, now: number): Promise<SessionResult> {
    // The last close stops the study timer.
    const reply = await timerUserStep(userId, now, SESSION_OPS_FROM, steps.closeSessionStep, userStepKeys(userId, sessionId), (cal) => closeArgs(userId, sessionId, now, cal));
    return closed(userId, sessionId, reply);
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
        if (claim === 'TOMB') return tombstoned(userId);
        const { reply } = await userStep(userId, SESSION_OPS_FROM, () => steps.openSessionStep(...userStepKeys(userId, sessionId), ...openArgs(input, now)));
        return opened(userId, sessionId, reply);
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
        const view = 'guildId' in target ? await guildView(target.guildId) : null;
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

    setUserStatus: (input: SetUserStatusInput, now: number): Promise<UserConnection> =>
      guard(async () => {
        const { userId } = input;
        const { reply } = await userStep(userId, 1, () =>
          steps.setStatusStep(...lists.status(userId).keys, userId, input.status, ...customStatusArgs(input.customStatus), now, now + repairDelayMs, keys.channels.presenceUser(userId), options.presenceRetentionSeconds),
        );
        return decodeConnection(userId, reply[0] as string);
      }),

    setSessionActivity: (sessionId: string, activity: Activity, now: number): Promise<SessionResult> =>
      guard(async () => {
        const userId = await client.hget(keys.sessionIndex(sessionId), sessionId);
        if (userId === null) return { changed: false, session: null, connection: null };
        const { reply } = await userStep(userId, 3, () =>
          steps.setActivityStep(...lists.userOnly(userId).keys, userId, sessionId, activity === 'IDLE' ? 'i' : '', now, now + repairDelayMs, keys.channels.presenceUser(userId)),
        );
        const [changed, record, connection] = reply as [number, string | null, string];
        if (changed === -1 || record === null) return { changed: false, session: null, connection: null };
        return { changed: changed === 1, session: toSession(sessionId, userId, decodeRecord(record)), connection: decodeConnection(userId, connection) };
      }),

    presenceExplain: (userId: string) =>
      explainUser(client, userId, { user: keys.user(userId), pendingOffline: keys.pendingOffline(partitionOf(userId)), nodes: keys.nodes(), tombstone: keys.tombstone }),

    /** Users online in a guild, as its view says. */
    guildOnline: (guildId: string) => guard(() => client.zrange(keys.guildOnline(guildId), 0, -1)),
  };
}

export type ClusterSessions = ReturnType<typeof clusterSessions>;
