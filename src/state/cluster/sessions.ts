import type { Cluster } from 'ioredis';
import { badInput } from '../../errors.js';
import { groupChannels, sessionContent, toConnection, toSession, voiceChange } from '../records.js';
import type {
  ConnectionStates,
  ConnectSessionInput,
  SessionResult,
  UserConnection,
  VoiceChange,
  VoiceChannel,
  VoiceChannelInput,
  VoiceStateChange,
} from '../types.js';
import { guard, lines, num } from '../redis/context.js';
import { decodeConnectionRecords, decodeRecord, encodeContent } from '../redis/session-codec.js';
import { createClusterKeys, PARTITIONS, partitionOf, type ClusterKeys } from './keys.js';
import { defineSteps } from './scripts.js';

export interface ClusterSessionsOptions {
  client: Cluster;
  keyPrefix: string;
  presenceRetentionSeconds: number;
  tombstoneSeconds: number;
  graceMs: number;
  defaultLeaseMs: number;
  /** How long an outbox entry waits before a repair pass re-applies it. @default 2000 */
  repairDelayMs?: number;
  /** Runs between a user step and its derived steps; a throw there stands for an instance dying (tests). */
  afterUserStep?: () => void;
}

/** One derived op of a user's outbox (cluster/lua/lib/outbox.lua). */
interface Op {
  seq: string;
  target: string;
  kind: string;
  payload: string;
}

/** The key list of each step, from the one keys module; the layout test checks each shares one slot. */
export function stepKeys(keys: ClusterKeys) {
  return {
    claim: (sessionId: string) => [keys.sessionIndex(sessionId), keys.tombstone(sessionId)],
    user: (userId: string, sessionId: string) => {
      const p = partitionOf(userId);
      return [
        keys.user(userId),
        keys.outbox(userId),
        keys.outboxDue(p),
        keys.nodeSessions(p),
        keys.unleased(p),
        keys.pendingOffline(p),
        keys.userTombstone(userId, sessionId),
        keys.channels.presenceUser(userId),
      ];
    },
    guild: (guildId: string) => [
      keys.guildSeen(guildId),
      keys.guildOnline(guildId),
      keys.guildVoice(guildId),
      keys.guildVoiceVersion(guildId),
      keys.channels.presenceGuild(guildId),
      keys.channels.voiceGuild(guildId),
    ],
    index: (sessionId: string) => Array<string>(4).fill(keys.sessionIndex(sessionId)),
    ack: (userId: string) => [keys.outbox(userId), keys.outboxDue(partitionOf(userId))],
  };
}

/** Pending ops from a user step's reply (pairs from `from` on), in seq order. */
function decodeOps(reply: unknown[], from: number): Op[] {
  const ops: Op[] = [];
  for (let i = from; i < reply.length; i += 2) {
    const text = String(reply[i + 1]);
    const a = text.indexOf('\n');
    const b = text.indexOf('\n', a + 1);
    ops.push({ seq: String(reply[i]), target: text.slice(0, a), kind: text.slice(a + 1, b), payload: text.slice(b + 1) });
  }
  return ops.sort((x, y) => Number(x.seq) - Number(y.seq));
}

/**
 * Sessions and presence on a Redis Cluster, as steps of one slot each
 * (docs/cluster-layout.md): claim in the session id's partition, the user
 * step in the user's partition (the source of truth), then one derived step
 * per guild and for the index, which apply the user's outbox; a repair pass
 * re-applies what an instance that died between steps left behind.
 */
export function createClusterSessions(options: ClusterSessionsOptions) {
  const { client, keyPrefix, tombstoneSeconds, graceMs, defaultLeaseMs, repairDelayMs = 2_000, afterUserStep } = options;
  const keys = createClusterKeys(keyPrefix);
  const lists = stepKeys(keys);
  const steps = defineSteps(client);

  /**
   * Applies ops per target in parallel, each target's in seq order, then
   * acknowledges them. Resolves with the last voice version each guild
   * assigned (0 when another applier got there first).
   */
  async function applyPending(userId: string, ops: Op[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    if (ops.length === 0) return versions;
    const byTarget = new Map<string, Op[]>();
    for (const op of ops) byTarget.set(op.target, [...(byTarget.get(op.target) ?? []), op]);
    await Promise.all(
      [...byTarget].map(async ([target, list]) => {
        const args = list.flatMap((op) => [op.seq, op.kind, op.payload]);
        const id = target.slice(2);
        const guildKeys = target.startsWith('g:') ? lists.guild(id) : null;
        const [, version] = (await (guildKeys
          ? steps.applyOps(...guildKeys.slice(0, 4), userId, userId, ...guildKeys.slice(4), ...args)
          : steps.applyOps(...lists.index(id), userId, '', '', '', ...args))) as [number, number];
        versions.set(target, version);
      }),
    );
    // Not awaited: a lost ack only means a repair pass applies the ops again, which changes nothing.
    steps.ackOps(...lists.ack(userId), userId, ...ops.map((op) => op.seq)).catch(() => {});
    return versions;
  }

  const userStepKeys = (userId: string, sessionId: string) => lists.user(userId, sessionId).slice(0, 7);
  const channelOf = (userId: string) => keys.channels.presenceUser(userId);

  /** Runs a user step, then its derived steps; answers from the user step's reply. */
  async function userStep(userId: string, run: () => Promise<unknown>) {
    const reply = (await run()) as unknown[];
    afterUserStep?.();
    await applyPending(userId, decodeOps(reply, 6));
    const [status, record, count, room, last, pending] = reply as [string, string | null, number, string | null, string | null, number];
    return { status, record, connection: toConnection(userId, Number(count), room, num(last), pending === 1) };
  }

  const voiceKeys = (userId: string) => [keys.user(userId), keys.outbox(userId), keys.outboxDue(partitionOf(userId))];
  const voiceArgs = (input: VoiceChannelInput, now: number) => [input.userId, input.guildId, input.channelId, now, input.at ?? '', now + repairDelayMs];

  /** Applies a voice user step's ops; the version of the change is the one its guild assigned. */
  async function voiceStep(input: VoiceChannelInput, reply: unknown[], opsFrom: number, changed: boolean): Promise<number | null> {
    afterUserStep?.();
    const versions = await applyPending(input.userId, decodeOps(reply, opsFrom));
    if (!changed) return null;
    // 0: another applier (a repair, a retry) assigned it first; the guild's current version is the closest answer.
    const version = versions.get(`g:${input.guildId}`) ?? 0;
    return version > 0 ? version : Number((await client.get(keys.guildVoiceVersion(input.guildId))) ?? 0);
  }

  return {
    keys,

    connectSession: (input: ConnectSessionInput, now: number): Promise<SessionResult> =>
      guard(async () => {
        const { userId, sessionId, nodeId } = input;
        const [claim] = await Promise.all([
          steps.claimSession(...lists.claim(sessionId), sessionId, userId),
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
        const { status, record, connection } = await userStep(userId, () =>
          steps.openSessionStep(...userStepKeys(userId, sessionId), userId, sessionId, content, now, now + repairDelayMs, channelOf(userId)),
        );
        return {
          changed: status === 'CHANGED',
          session: record === null ? null : toSession(sessionId, userId, decodeRecord(record)),
          connection,
        };
      }),

    disconnectSession: (sessionId: string, now: number): Promise<SessionResult> =>
      guard(async () => {
        const userId = (await steps.markClosed(...lists.claim(sessionId), sessionId, tombstoneSeconds)) as string | null;
        if (userId === null) return { changed: false, session: null, connection: null };
        const { status, record, connection } = await userStep(userId, () =>
          steps.closeSessionStep(
            ...userStepKeys(userId, sessionId),
            userId,
            sessionId,
            now,
            now + repairDelayMs,
            channelOf(userId),
            graceMs,
            options.presenceRetentionSeconds,
            tombstoneSeconds,
          ),
        );
        if (status !== 'CLOSED' || record === null) return { changed: false, session: null, connection: null };
        return { changed: true, session: toSession(sessionId, userId, decodeRecord(record)), connection };
      }),

    joinVoice: (input: VoiceChannelInput, now: number): Promise<VoiceStateChange> =>
      guard(async () => {
        const reply = (await steps.joinVoiceStep(...voiceKeys(input.userId), ...voiceArgs(input, now))) as unknown[];
        const [changed, type, previous] = reply as [number, VoiceChange | null, string | null];
        const version = await voiceStep(input, reply, 3, changed === 1);
        return voiceChange(input, now, changed === 1 ? type : null, previous, version);
      }),

    leaveVoice: (input: VoiceChannelInput, now: number): Promise<VoiceStateChange> =>
      guard(async () => {
        const reply = (await steps.leaveVoiceStep(...voiceKeys(input.userId), ...voiceArgs(input, now), options.presenceRetentionSeconds)) as unknown[];
        const version = await voiceStep(input, reply, 1, reply[0] === 1);
        return voiceChange(input, now, reply[0] === 1 ? 'LEFT' : null, null, version);
      }),

    channelStates: (guildId: string): Promise<VoiceChannel[]> =>
      guard(async () => groupChannels(guildId, Object.entries(await client.hgetall(keys.guildVoice(guildId))))),

    /** One call per partition that holds any of the users, sent together: one round trip per master. */
    connectionStates: (userIds: readonly string[]): Promise<ConnectionStates> =>
      guard(async () => {
        const groups = new Map<number, number[]>();
        userIds.forEach((userId, i) => {
          const p = partitionOf(userId);
          const group = groups.get(p);
          if (group) group.push(i);
          else groups.set(p, [i]);
        });
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

    /** Users online in a guild, as its view says. */
    guildOnline: (guildId: string) => guard(() => client.smembers(keys.guildOnline(guildId))),

    /**
     * Re-applies every outbox whose repair is due (an instance died between
     * steps, or its ack was lost), partition by partition, at most `limit`
     * users each. Resolves with how many users' outboxes it applied.
     */
    repair: (now: number, limit = 100) =>
      guard(async () => {
        const counts = await Promise.all(
          Array.from({ length: PARTITIONS }, async (_, p) => {
            const due = await client.zrangebyscore(keys.outboxDue(p), '-inf', now, 'LIMIT', 0, limit);
            await Promise.all(
              due.map(async (userId) => {
                const ops = decodeOps(Object.entries(await client.hgetall(keys.outbox(userId))).flat(), 0);
                // An outbox emptied meanwhile only needs its repair entry dropped.
                if (ops.length === 0) await steps.ackOps(...lists.ack(userId), userId);
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

export type ClusterSessions = ReturnType<typeof createClusterSessions>;
