import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StateError, badInput, stateUnavailable } from '../../errors.js';
import type { EngineOptions, StateEngine } from '../engine.js';
import {
  groupChannels,
  liveStudyTime,
  sessionContent,
  toConnection,
  toSession,
  voiceChange,
  type SessionRecord,
} from '../records.js';
import type { Session, StudyTime, VoiceChange } from '../types.js';
import { createKeys } from './keys.js';
import { defineScripts } from './scripts.js';

// Replies Redis gives while it cannot serve; anything else from Redis is a bug.
const transientReply = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN|NOSCRIPT)/;

/** Maps a failed Redis call to STATE_UNAVAILABLE unless it is our own error or a script bug. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StateError) throw error;
    const isReply = error instanceof Error && error.name === 'ReplyError';
    if (isReply && !transientReply.test(error.message)) throw error;
    throw stateUnavailable();
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const lines = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? v.split('\n') : []);

export interface RedisEngineOptions extends EngineOptions {
  /** Command client; it should fail fast (no offline queue). */
  client: Redis;
  keyPrefix: string;
}

const NEEDS_CALENDAR = -2;
const DAY_MS = 86_400_000;
/** Most sessions one reap call closes, so no script holds Redis for long. */
const REAP_BATCH = 200;

/** The production engine: every change is one Lua script, so concurrent events never lose an update. */
export function createRedisEngine({
  client,
  keyPrefix,
  presenceRetentionSeconds,
  studyRetentionDays,
  tombstoneSeconds,
  graceMs,
  defaultLeaseMs,
  calendar,
}: RedisEngineOptions): StateEngine {
  defineScripts(client);
  const keys = createKeys(keyPrefix);
  const retention = presenceRetentionSeconds;
  // A day's keys are refreshed on every write to it; writes happen from its
  // start on, and a day is at most 25 hours long, so two spare days keep it
  // readable for the full retention after it ends.
  const studyRetention = (studyRetentionDays + 2) * 86_400;

  /** The days Lua needs to split timer time: from `from` (default: yesterday) to today. */
  const calendarArg = (now: number, from = now - DAY_MS) =>
    calendar.window(Math.min(from, now), now + 1).flat().join(',');

  /** The ctx ARGV block of lua/lib.lua's read_ctx. */
  const ctxArgs = (now: number, cal: string) => [now, retention, cal, studyRetention, tombstoneSeconds, graceMs, defaultLeaseMs];

  /** A calendar reaching back to the oldest running timer, for scripts that may stop many. */
  async function calendarForAllTimers(now: number) {
    const oldest = await client.zrange(keys.studyTimers(), 0, 0, 'WITHSCORES');
    return calendarArg(now, oldest[1] === undefined ? now - DAY_MS : Math.min(Number(oldest[1]), now - DAY_MS));
  }

  /**
   * Runs a script with the usual two-day calendar; a script that meets an
   * older timer writes nothing and names its start, and runs again once
   * with a calendar reaching back to it.
   */
  async function withCalendar<T extends unknown[]>(now: number, run: (cal: string) => Promise<unknown>): Promise<T> {
    let reply = (await run(calendarArg(now))) as T;
    if (reply[0] === NEEDS_CALENDAR) reply = (await run(calendarArg(now, Number(reply[1])))) as T;
    if (reply[0] === NEEDS_CALENDAR) throw new Error('timer older than the calendar after a retry');
    return reply;
  }

  return {
    connectSession: (input, now) =>
      guard(async () => {
        const reply = (await client.connectSession(
          keys.user(input.userId),
          keys.session(input.sessionId),
          keyPrefix,
          input.userId,
          input.sessionId,
          JSON.stringify(sessionContent(input)),
          ...ctxArgs(now, calendarArg(now)),
        )) as [number, string | null, number, string | null, string | null, number];
        if (reply[0] === -1) throw badInput(`session ${input.sessionId} belongs to another user`);
        const [changed, record, count, room, last, pending] = reply;
        return {
          changed: changed === 1,
          // A CONNECT for a closed session (tombstone) opens nothing.
          session: record === null ? null : toSession(input.sessionId, input.userId, JSON.parse(record) as SessionRecord),
          connection: toConnection(input.userId, Number(count), room, num(last), pending === 1),
        };
      }),

    disconnectSession: (sessionId, now) =>
      guard(async () => {
        const reply = await withCalendar<[0] | [1, string, string, number, string | null, string | null, number]>(now, (cal) =>
          client.disconnectSession(keys.session(sessionId), keyPrefix, sessionId, ...ctxArgs(now, cal)),
        );
        if (reply[0] === 0) return { changed: false, session: null, connection: null };
        const [, userId, record, count, room, last, pending] = reply;
        return {
          changed: true,
          session: toSession(sessionId, userId, JSON.parse(record) as SessionRecord),
          connection: toConnection(userId, Number(count), room, num(last), pending === 1),
        };
      }),

    getSession: (sessionId) =>
      guard(async (): Promise<Session | null> => {
        const userId = await client.hget(keys.session(sessionId), sessionId);
        if (userId === null) return null;
        const record = await client.hget(keys.user(userId), `s:${sessionId}`);
        return record === null ? null : toSession(sessionId, userId, JSON.parse(record) as SessionRecord);
      }),

    connectionStates: (userIds) =>
      guard(async () => {
        if (userIds.length === 0) return [];
        const flat = (await client.connectionStates(userIds.length, ...userIds.map(keys.user), keyPrefix)) as Array<string | null>;
        return userIds.map((userId, i) => {
          const [count, room, last, guilds, pending] = flat.slice(i * 5, i * 5 + 5);
          return {
            ...toConnection(userId, Number(count ?? 0), str(room), num(last), pending !== null && pending !== undefined),
            guildIds: lines(guilds),
          };
        });
      }),

    joinVoice: (input, now) =>
      guard(async () => {
        const [changed, type, previous, version] = (await client.joinVoice(
          keys.user(input.userId),
          keys.voice(input.guildId),
          keyPrefix,
          input.userId,
          input.guildId,
          input.channelId,
          now,
          input.at ?? '',
        )) as [number, VoiceChange | null, string | null, number | null];
        return voiceChange(input, now, changed === 1 ? type : null, previous, version);
      }),

    leaveVoice: (input, now) =>
      guard(async () => {
        const [changed, version] = (await client.leaveVoice(
          keys.user(input.userId),
          keys.voice(input.guildId),
          keyPrefix,
          input.userId,
          input.guildId,
          input.channelId,
          now,
          input.at ?? '',
          retention,
        )) as [number, number | null];
        return voiceChange(input, now, changed === 1 ? 'LEFT' : null, null, version);
      }),

    channelStates: (guildId) =>
      guard(async () => groupChannels(guildId, Object.entries(await client.hgetall(keys.voice(guildId))))),

    heartbeat: (nodeId, leaseMs, now) =>
      guard(async () => {
        const [resync, expiresAt] = (await client.heartbeat(keys.nodes(), keyPrefix, nodeId, now, leaseMs)) as [number, number];
        return { nodeId, resync: resync === 1, expiresAt: Number(expiresAt) };
      }),

    syncNodeSessions: (nodeId, sessions, leaseMs, now) =>
      guard(async () => {
        const triples = sessions.flatMap((s) => [s.sessionId, s.userId, JSON.stringify(sessionContent({ ...s, nodeId }))]);
        const [opened, closed, unchanged, ...refused] = (await client.syncNodeSessions(
          keys.nodes(),
          keys.nodeSessions(nodeId),
          keyPrefix,
          nodeId,
          leaseMs,
          ...ctxArgs(now, await calendarForAllTimers(now)),
          ...triples,
        )) as [number, number, number, ...string[]];
        return { nodeId, opened, closed, unchanged, refused };
      }),

    reap: (now, sessionMaxAgeMs) =>
      guard(async () => {
        const total = { closed: 0, offline: 0 };
        const cal = await calendarForAllTimers(now);
        for (;;) {
          const [closed, offline, more] = (await client.reap(
            keys.nodes(),
            keys.unleasedSessions(),
            keys.pendingOffline(),
            keyPrefix,
            ...ctxArgs(now, cal),
            sessionMaxAgeMs,
            REAP_BATCH,
          )) as [number, number, number];
          total.closed += closed;
          total.offline += offline;
          if (more !== 1) return total;
        }
      }),

    presenceSnapshot: (target) =>
      guard(async () => {
        const flat = (await ('guildId' in target
          ? client.presenceSnapshot(keys.guildOnline(target.guildId), keyPrefix)
          : client.presenceSnapshot('', keyPrefix, ...target.userIds))) as Array<string | number>;
        const entries = [];
        for (let i = 0; i < flat.length; i += 5) {
          const sessionCount = Number(flat[i + 1]);
          entries.push({
            userId: String(flat[i]),
            sessionCount,
            online: sessionCount > 0 || flat[i + 2] === 1,
            guildIds: lines(flat[i + 3]),
            version: Number(flat[i + 4]),
          });
        }
        return entries;
      }),

    voiceSnapshot: (guildId) =>
      guard(async () => {
        const [version, ...flat] = (await client.voiceSnapshot(keys.voice(guildId), keys.voiceVersion(guildId), keyPrefix)) as [
          number,
          ...string[],
        ];
        const members: Array<[string, string]> = [];
        for (let i = 0; i < flat.length; i += 2) members.push([flat[i]!, flat[i + 1]!]);
        return { version: Number(version), members };
      }),

    tryLock: (name, ttlMs) =>
      guard(async () => {
        const token = randomUUID();
        return (await client.set(keys.lock(name), token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
      }),

    unlock: (name, token) =>
      guard(async () => {
        await client.releaseLock(keys.lock(name), keyPrefix, token);
      }),

    startStudyTimer: (userId, _roomId, now) =>
      guard(async () => {
        const [changed, seconds] = (await client.startStudyTimer(
          keys.user(userId),
          keys.studyTimers(),
          keyPrefix,
          userId,
          now,
          calendarArg(now),
        )) as [number, number];
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: true };
        return { changed: changed === 1, time };
      }),

    stopStudyTimer: (userId, now) =>
      guard(async () => {
        const [changed, seconds] = await withCalendar<[number, number]>(now, (cal) =>
          client.stopStudyTimer(keys.user(userId), keys.studyTimers(), keyPrefix, userId, now, cal, studyRetention),
        );
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: false };
        return { changed: changed === 1, time };
      }),

    saveStudyTime: ({ userId, seconds, roomId, leftRoom, day }, now) =>
      guard(async () => {
        const reply = (await client.saveStudyTime(
          keys.studyTotals(day),
          keys.studyMembers(day),
          keys.user(userId),
          keyPrefix,
          userId,
          day,
          seconds,
          leftRoom ? '1' : '0',
          roomId ?? '',
          now,
          calendarArg(now),
          studyRetention,
        )) as [number, number];
        if (reply[0] === -1) throw badInput('leftRoom needs a roomId: the user is in no room');
        return { userId, day, seconds: reply[0], running: reply[1] === 1 };
      }),

    syncStudyTimes: (entries, day, now) =>
      guard(async () => {
        const pairs = entries.flatMap(({ userId, seconds }) => [userId, seconds]);
        return Number(
          await client.syncStudyTimes(
            keys.studyTotals(day),
            keys.studyMembers(day),
            keyPrefix,
            day,
            now,
            calendarArg(now),
            studyRetention,
            ...pairs,
          ),
        );
      }),

    studyTime: (userId, day, now) =>
      guard(async () => {
        const replies = (await client.pipeline().hget(keys.studyTotals(day), userId).hget(keys.user(userId), 'ts').exec()) ?? [];
        const [[totalError, recorded], [timerError, start]] = replies as Array<[Error | null, string | null]> as [
          [Error | null, string | null],
          [Error | null, string | null],
        ];
        if (totalError || timerError) throw totalError ?? timerError;
        return liveStudyTime(calendar, userId, day, Number(recorded ?? 0), num(start), now);
      }),

    studyReport: (day, first, after) =>
      guard(async () => {
        const [hasNext, ...flat] = (await client.studyReport(
          keys.studyMembers(day),
          keys.studyTotals(day),
          keyPrefix,
          after ?? '',
          first,
        )) as [number, ...Array<string | number>];
        const entries: StudyTime[] = [];
        for (let i = 0; i < flat.length; i += 3) {
          entries.push({ userId: String(flat[i]), day, seconds: Number(flat[i + 1]), running: flat[i + 2] === 1 });
        }
        return { entries, hasNextPage: hasNext === 1 };
      }),

    closeDay: (day, now) =>
      guard(async () => {
        const end = calendar.endOf(day);
        // The calendar runs from the closing day to its end; older timers trigger a retry.
        const reply = await withCalendar<[number, number, number]>(end, (cal) =>
          client.closeStudyDay(
            keys.studyClosed(day),
            keys.studyTotals(day),
            keys.studyTimers(),
            keyPrefix,
            day,
            end,
            now,
            cal,
            studyRetention,
          ),
        );
        return reply[0] === 1 ? { day, users: Number(reply[1]), totalSeconds: Number(reply[2]) } : null;
      }),

    ping: () =>
      guard(async () => {
        await client.ping();
      }),

    close: async () => {
      // The app owns the client; nothing engine-specific to release.
    },
  };
}
