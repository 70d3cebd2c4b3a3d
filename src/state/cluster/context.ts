import type { Cluster } from 'ioredis';
import type { EngineOptions } from '../engine.js';
import { createCalendarArgs } from '../redis/calendar-args.js';
import { decodeConnection } from '../redis/session-codec.js';
import { createClusterKeys, groupByPartition, partitionOf, type ClusterKeys } from './keys.js';
import { defineSteps, type Step } from './scripts.js';
import { BATCH_CHUNK, batchArgs, inChunks, type BatchItem } from '../lua-batch.js';

export interface ClusterStateOptions extends EngineOptions {
  client: Cluster;
  keyPrefix: string;
  /** How long an outbox entry waits before a repair pass re-applies it. @default 2000 */
  repairDelayMs?: number;
  /**
   * How long a guild keeps the seen entry of a user gone from its views. A
   * stale copy of ops lives only inside one applier's call (a repair reads
   * the outbox afresh, and acknowledged ops are gone from it), which command
   * timeouts bound to seconds; ten minutes leaves room for a stalled process.
   * @default 600000
   */
  seenKeptMs?: number;
  /** Runs between a user step and its derived steps; a throw there stands for an instance dying (tests). */
  afterUserStep?: () => void;
}

/** One derived op of a user's outbox (cluster/lua/lib/outbox.lua). */
export interface Op {
  seq: string;
  target: string;
  kind: string;
  payload: string;
}

/** What one step call touches: its KEYS, and the channels it publishes on (same slot). */
export interface StepTargets {
  keys: string[];
  channels: string[];
}

/** apply.lua's key count (a guild's keys; rooms and the index repeat theirs). */
export const APPLY_KEYS = 7;

/** The keys and channels of each step, from the one keys module; the layout test checks each shares one slot. */
export function stepKeys(keys: ClusterKeys) {
  const userOnly = (userId: string) => [keys.user(userId), keys.outbox(userId), keys.outboxDue(partitionOf(userId))];
  // The user's own channels: their presence, and their study time (a last close stops the timer).
  const own = (userId: string) => [keys.channels.presenceUser(userId), keys.channels.studyUser(userId)];
  /**
   * lib/study.lua's keys in partition p: the timers, then each day's totals
   * and members (the calendar's days, then `extra` when it is not one of them).
   */
  const study = (p: number, days: readonly string[], extra = ''): StepTargets => {
    const all = extra === '' || days.includes(extra) ? days : [...days, extra];
    return { keys: [keys.timers(p), ...all.flatMap((d) => [keys.studyTotals(p, d), keys.studyMembers(p, d)])], channels: [] };
  };
  return {
    claim: (sessionId: string): StepTargets => ({ keys: [keys.sessionIndex(sessionId), keys.tombstone(sessionId)], channels: [] }),
    /** A user step that needs only the user hash and the outbox (voice). */
    userOnly: (userId: string): StepTargets => ({ keys: userOnly(userId), channels: [] }),
    /** A user step on sessions. */
    user: (userId: string, sessionId: string): StepTargets => {
      const p = partitionOf(userId);
      return {
        keys: [...userOnly(userId), keys.nodeSessions(p), keys.unleased(p), keys.pendingOffline(p), keys.userTombstone(userId, sessionId)],
        channels: own(userId),
      };
    },
    /** A user's chosen or custom status, or its expiry. */
    status: (userId: string): StepTargets => ({ keys: [...userOnly(userId), keys.statusExpiry(partitionOf(userId))], channels: [keys.channels.presenceUser(userId)] }),
    /** A held-back OFFLINE falling due. */
    grace: (userId: string): StepTargets => ({ keys: [...userOnly(userId), keys.pendingOffline(partitionOf(userId))], channels: own(userId) }),
    /** A guild's derived step, publishing presence and voice. */
    guild: (guildId: string): StepTargets => ({
      keys: [
        keys.guildSeen(guildId),
        keys.guildOnline(guildId),
        keys.guildVoice(guildId),
        keys.guildVoiceVersion(guildId),
        keys.guildGone(guildId),
        keys.guildPresenceLog(guildId),
        keys.guildVoiceLog(guildId),
      ],
      channels: [keys.channels.presenceGuild(guildId), keys.channels.voiceGuild(guildId)],
    }),
    /** The index's derived step: apply.lua's keys are all the index bucket. */
    index: (sessionId: string): StepTargets => ({ keys: Array<string>(APPLY_KEYS).fill(keys.sessionIndex(sessionId)), channels: [] }),
    ack: (userId: string): StepTargets => ({ keys: [keys.outbox(userId), keys.outboxDue(partitionOf(userId))], channels: [] }),
    study,
    /** A user step on study time with the outbox (a save): the user's keys, then the study keys. */
    studyUser: (userId: string, days: readonly string[], extra = ''): StepTargets => ({
      keys: [...userOnly(userId), ...study(partitionOf(userId), days, extra).keys],
      channels: [keys.channels.studyUser(userId)],
    }),
    /** A partition step over some of its users (they all belong to p): study keys, then each user's hash. */
    partitionUsers: (p: number, userIds: readonly string[], days: readonly string[], extra = ''): StepTargets => ({
      keys: [...study(p, days, extra).keys, ...userIds.map(keys.user)],
      channels: userIds.map(keys.channels.studyUser),
    }),
    studyPage: (p: number, day: string): StepTargets => ({ keys: [keys.studyMembers(p, day), keys.studyTotals(p, day), keys.timers(p)], channels: [] }),
    partitionDay: (p: number, day: string): StepTargets => ({ keys: [keys.partitionDayClosed(p, day), keys.studyTotals(p, day), keys.timers(p)], channels: [] }),
    dayClose: (day: string): StepTargets => ({ keys: [keys.dayClosed(day)], channels: [keys.channels.dayClosed()] }),
    room: (roomId: string, eventId: string): StepTargets => ({
      keys: [keys.roomEvent(roomId, eventId)],
      channels: [keys.channels.room(roomId), keys.channels.rooms()],
    }),
    /** The room's derived step (ROOM_OUT): apply.lua's keys are all the room's seen hash. */
    roomOps: (roomId: string): StepTargets => ({
      keys: Array<string>(APPLY_KEYS).fill(keys.roomSeen(roomId)),
      channels: [keys.channels.room(roomId), keys.channels.rooms()],
    }),
  };
}

/** Pending ops from a user step's reply (pairs from `from` on), in seq order. */
export function decodeOps(reply: unknown[], from: number): Op[] {
  const ops: Op[] = [];
  for (let i = from; i < reply.length; i += 2) {
    const text = String(reply[i + 1]);
    const a = text.indexOf('\n');
    const b = text.indexOf('\n', a + 1);
    ops.push({ seq: String(reply[i]), target: text.slice(0, a), kind: text.slice(a + 1, b), payload: text.slice(b + 1) });
  }
  return ops.sort((x, y) => Number(x.seq) - Number(y.seq));
}

/** What every part of the Cluster engine shares: clients, keys, steps and the outbox's derived steps. */
export function createClusterContext(options: ClusterStateOptions) {
  const { client, keyPrefix, repairDelayMs = 2_000, seenKeptMs = 600_000, afterUserStep } = options;
  const keys = createClusterKeys(keyPrefix);
  const lists = stepKeys(keys);
  const steps = defineSteps(client, options.replicaAcks ?? null, options.resume);
  const { calendarArg, withCalendar, daysOf } = createCalendarArgs(options.calendar);
  // As on a single Redis: two spare days keep a day readable for the full retention.
  const studyRetention = (options.studyRetentionDays + 2) * 86_400;
  /** A variable-key step's leading arguments: the key count, then the keys. */
  const counted = (keyList: string[]) => [keyList.length, ...keyList];

  /** apply.lua's keys and leading ARGV for one target: 'g:' a guild, 'r:' a room, 's:' the session index. */
  function applyHead(target: string, userId: string): BatchItem {
    const id = target.slice(2);
    const now = Date.now();
    if (target.startsWith('g:')) return { keys: lists.guild(id).keys, args: [userId, userId, ...lists.guild(id).channels, now, seenKeptMs] };
    if (target.startsWith('r:')) return { keys: lists.roomOps(id).keys, args: [userId, userId, ...lists.roomOps(id).channels, now, 0] };
    return { keys: lists.index(id).keys, args: [userId, '', '', '', now, 0] };
  }

  /** A user's ops by target, each target's in seq order. */
  function byTarget(ops: Op[]): Map<string, Op[]> {
    const out = new Map<string, Op[]>();
    for (const op of ops) {
      const list = out.get(op.target);
      if (list) list.push(op);
      else out.set(op.target, [op]);
    }
    return out;
  }
  const opArgs = (ops: Op[]) => ops.flatMap((op) => [op.seq, op.kind, op.payload]);

  /**
   * Applies ops per target in parallel, each target's in seq order, then
   * acknowledges them. Resolves with the last voice version each guild
   * assigned (0 when another applier got there first).
   */
  async function applyPending(userId: string, ops: Op[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    if (ops.length === 0) return versions;
    await Promise.all(
      [...byTarget(ops)].map(async ([target, list]) => {
        const head = applyHead(target, userId);
        const [, version] = (await steps.applyOps(...head.keys, ...head.args, ...opArgs(list))) as [number, number];
        versions.set(target, version);
      }),
    );
    // Not awaited: a lost ack only means a repair pass applies the ops again, which changes nothing.
    steps.ackOps(...lists.ack(userId).keys, userId, ...ops.map((op) => op.seq)).catch(() => {});
    return versions;
  }

  /**
   * applyPending for many users at once (batch ingest): one batch call per
   * target (chunks of BATCH_CHUNK users), then the acks, one batch per partition.
   */
  async function applyPendingOf(opsByUser: ReadonlyMap<string, Op[]>): Promise<void> {
    const perTarget = new Map<string, BatchItem[]>();
    for (const [userId, ops] of opsByUser) {
      for (const [target, list] of byTarget(ops)) {
        const head = applyHead(target, userId);
        const item = { keys: head.keys, args: [...head.args, ...opArgs(list)] };
        const items = perTarget.get(target);
        if (items) items.push(item);
        else perTarget.set(target, [item]);
      }
    }
    await Promise.all([...perTarget.values()].map((items) => inChunks(items, BATCH_CHUNK, (chunk) => steps.applyOpsMany(...batchArgs(chunk)) as Promise<unknown[]>)));
    const acks = [...opsByUser].filter(([, ops]) => ops.length > 0);
    grouped(acks, ([userId]) => partitionOf(userId), ([userId, ops]) => ({ keys: lists.ack(userId).keys, args: [userId, ...ops.map((op) => op.seq)] }), steps.ackOpsMany).catch(() => {});
  }

  /**
   * One batch call per partition (chunks of BATCH_CHUNK items), all sent at
   * once; the replies in item order. A partition's chunks go to one master
   * over one connection, so its items run in their order.
   */
  async function grouped<T>(items: readonly T[], partition: (item: T) => number, toItem: (item: T) => BatchItem, step: Step): Promise<unknown[]> {
    const out = new Array<unknown>(items.length);
    await Promise.all(
      [...groupByPartition(items, partition).values()].map(async (indexes) => {
        const replies = await inChunks(indexes, BATCH_CHUNK, async (chunk) => (await step(...batchArgs(chunk.map((i) => toItem(items[i]!))))) as unknown[]);
        replies.forEach((reply, j) => (out[indexes[j]!] = reply));
      }),
    );
    return out;
  }

  /** Runs a user step, then the derived steps of the ops it returns (from `opsFrom` on). */
  async function userStep(userId: string, opsFrom: number, run: () => Promise<unknown>) {
    const reply = (await run()) as unknown[];
    afterUserStep?.();
    const versions = await applyPending(userId, decodeOps(reply, opsFrom));
    return { reply, versions };
  }

  /**
   * A user step that may stop the study timer (a last close, a held-back
   * OFFLINE): `fixed` keys, then the partition's study keys for the
   * calendar, run again once with a calendar reaching an older timer.
   */
  const timerUserStep = (userId: string, now: number, opsFrom: number, step: Step, fixed: string[], args: (cal: string) => Array<string | number>) =>
    withCalendar<unknown[]>(now, async (cal) => {
      const all = [...fixed, ...lists.study(partitionOf(userId), daysOf(cal)).keys];
      return (await userStep(userId, opsFrom, () => step(...counted(all), ...args(cal)))).reply;
    });

  /** A sessions user step's reply fields (status, record, connection_record; open-session.lua, close-session.lua) as a connection. */
  const connectionOf = (userId: string, reply: unknown[]) => {
    const [status, record, connection] = reply as [string, string | null, string | null];
    return { status, record, connection: connection === null ? null : decodeConnection(userId, connection) };
  };

  return {
    client,
    options,
    keys,
    lists,
    steps,
    repairDelayMs,
    applyPending,
    applyPendingOf,
    grouped,
    userStep,
    timerUserStep,
    connectionOf,
    calendarArg,
    withCalendar,
    daysOf,
    studyRetention,
    counted,
  };
}

export type ClusterContext = ReturnType<typeof createClusterContext>;
