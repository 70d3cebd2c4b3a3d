import type { Clock } from '../../clock.js';
import { badInput } from '../../errors.js';
import type { EventBus } from '../../pubsub/event-bus.js';
import { topics } from '../../pubsub/topics.js';
import type { EngineOptions, StateEngine } from '../engine.js';
import {
  byteOrder,
  liveStudyTime,
  groupChannels,
  sameContent,
  sessionContent,
  toConnection,
  toSession,
  voiceChange,
  type SessionRecord,
} from '../records.js';
import { MAX_DAY_SECONDS } from '../../study/calendar.js';

import type { ConnectionState, StudyDayClosed, StudyTime } from '../types.js';

interface UserRecord {
  sessions: Map<string, SessionRecord>;
  seq: number;
  lastSeenAt: number | null;
  voice: { guildId: string; channelId: string } | null;
  /** Guilds of the live sessions; the last ones while offline. */
  guildIds: string[];
  /** Offline records are dropped after this time (epoch ms); null while live. */
  expiresAt: number | null;
}

interface Summary {
  count: number;
  guilds: Set<string>;
  rooms: Set<string>;
  room: string | null;
}

function summarize(sessions: Map<string, SessionRecord>): Summary {
  const s: Summary = { count: 0, guilds: new Set(), rooms: new Set(), room: null };
  let roomSeq = -1;
  for (const rec of sessions.values()) {
    s.count += 1;
    for (const g of rec.g ?? []) s.guilds.add(g);
    if (rec.r !== undefined) {
      s.rooms.add(rec.r);
      if (rec.q > roomSeq) [s.room, roomSeq] = [rec.r, rec.q];
    }
  }
  return s;
}

/** Members of `a` missing from `b`, sorted (the order the Lua scripts use). */
const missingFrom = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

export interface MemoryEngineOptions extends EngineOptions {
  bus: EventBus;
  clock: Clock;
}

/**
 * The single-process engine: the same rules as the Lua scripts, on Maps.
 * Each method runs synchronously up to its publishes, so every step is atomic.
 */
export function createMemoryEngine({
  bus,
  clock,
  calendar,
  presenceRetentionSeconds,
  studyRetentionDays,
}: MemoryEngineOptions): StateEngine {
  const users = new Map<string, UserRecord>();
  const sessionOwners = new Map<string, string>();
  const voice = new Map<string, Map<string, string>>(); // guildId → userId → channelId
  const totals = new Map<string, Map<string, number>>(); // day → userId → seconds
  const timers = new Map<string, number>(); // userId → running timer's start
  const closedDays = new Map<string, StudyDayClosed>();
  const retentionMs = presenceRetentionSeconds * 1000;
  const studyRetentionMs = studyRetentionDays * 86_400_000;
  const dayKept = (day: string, now: number) => calendar.endOf(day) + studyRetentionMs > now;
  // In memory a publish reaches local listeners at once and never fails.
  const publish: EventBus['publish'] = (topic, payload) => bus.publish(topic, payload);

  const liveUser = (userId: string): UserRecord | undefined => {
    const user = users.get(userId);
    if (user && user.expiresAt !== null && user.expiresAt <= clock.now()) {
      users.delete(userId);
      return undefined;
    }
    return user;
  };

  const userFor = (userId: string): UserRecord => {
    let user = liveUser(userId);
    if (!user) {
      user = { sessions: new Map(), seq: 0, lastSeenAt: null, voice: null, expiresAt: null, guildIds: [] };
      users.set(userId, user);
    }
    return user;
  };

  function publishPresence(
    userId: string,
    state: ConnectionState,
    count: number,
    guildIds: string[],
    at: number,
    userChanged: boolean,
  ) {
    if (guildIds.length === 0 && !userChanged) return;
    const event = { userId, state, previousState: state === 'ONLINE' ? 'OFFLINE' : 'ONLINE', sessionCount: count, guildIds, at } as const;
    if (userChanged) void publish(topics.presenceUser(userId), event);
    for (const g of guildIds) void publish(topics.presenceGuild(g), event);
  }

  function publishRoomOut(roomId: string, userId: string, at: number) {
    const event = { type: 'ROOM_OUT', roomId, userId, targetUserId: null, alertCount: null, message: null, at } as const;
    void publish(topics.room(roomId), event);
  }

  function endVoice(userId: string, user: UserRecord, at: number) {
    if (!user.voice) return;
    const { guildId, channelId } = user.voice;
    const members = voice.get(guildId);
    members?.delete(userId);
    if (members?.size === 0) voice.delete(guildId);
    user.voice = null;
    void publish(topics.voiceGuild(guildId), voiceChange({ guildId, channelId, userId }, at, 'LEFT'));
  }

  // Records past retention are also dropped without being read, so a
  // long-running process does not keep every user it ever saw.
  const sweep = setInterval(() => {
    const now = clock.now();
    for (const [userId, user] of users) if (user.expiresAt !== null && user.expiresAt <= now) users.delete(userId);
    for (const day of totals.keys()) if (!dayKept(day, now)) totals.delete(day);
    for (const day of closedDays.keys()) if (!dayKept(day, now)) closedDays.delete(day);
  }, 60_000);
  sweep.unref();

  const stored = (userId: string, day: string, now: number) =>
    dayKept(day, now) ? (totals.get(day)?.get(userId) ?? 0) : 0;

  /** Raises a day's total by `seconds` (capped at a day); whether it changed. */
  const credit = (userId: string, day: string, seconds: number, now: number) => {
    const before = stored(userId, day, now);
    return setTotal(userId, day, Math.min(MAX_DAY_SECONDS, before + seconds), now);
  };
  const setTotal = (userId: string, day: string, seconds: number, now: number) => {
    let byUser = totals.get(day);
    if (!byUser || !dayKept(day, now)) totals.set(day, (byUser = new Map()));
    const changed = byUser.get(userId) !== seconds;
    byUser.set(userId, seconds);
    return changed;
  };

  const studyTimeOf = (userId: string, day: string, now: number): StudyTime =>
    liveStudyTime(calendar, userId, day, stored(userId, day, now), timers.get(userId) ?? null, now);
  const publishStudy = (userId: string, day: string, now: number) =>
    void publish(topics.studyUser(userId), studyTimeOf(userId, day, now));

  /** Credits [timer start, until) to each day it covers; the timer then restarts at `until` or stops. */
  function settleTimer(userId: string, until: number, now: number, keepRunning: boolean) {
    const start = timers.get(userId);
    if (start === undefined) return;
    if (keepRunning) timers.set(userId, until);
    else timers.delete(userId);
    for (const [day, seconds] of calendar.split(start, until)) {
      credit(userId, day, seconds, now);
      publishStudy(userId, day, now);
    }
  }

  const retire = (user: UserRecord, now: number) => {
    user.expiresAt = now + retentionMs;
  };

  return {
    async connectSession(input, now) {
      const owner = sessionOwners.get(input.sessionId);
      if (owner !== undefined && owner !== input.userId) {
        throw badInput(`session ${input.sessionId} belongs to another user`);
      }
      const user = userFor(input.userId);
      const before = summarize(user.sessions);
      const old = user.sessions.get(input.sessionId);
      const content = sessionContent(input);
      if (old && sameContent(old, content)) {
        return {
          changed: false,
          session: toSession(input.sessionId, input.userId, old),
          connection: toConnection(input.userId, before.count, before.room, user.lastSeenAt),
        };
      }
      user.seq += 1;
      const record: SessionRecord = { ...content, t: old ? old.t : now, q: user.seq };
      user.sessions.set(input.sessionId, record);
      sessionOwners.set(input.sessionId, input.userId);
      user.expiresAt = null;
      const after = summarize(user.sessions);
      user.guildIds = [...after.guilds].sort();

      publishPresence(input.userId, 'ONLINE', after.count, missingFrom(after.guilds, before.guilds), now, before.count === 0);
      publishPresence(input.userId, 'OFFLINE', after.count, missingFrom(before.guilds, after.guilds), now, false);
      for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, input.userId, now);

      return {
        changed: true,
        session: toSession(input.sessionId, input.userId, record),
        connection: toConnection(input.userId, after.count, after.room, user.lastSeenAt),
      };
    },

    async disconnectSession(sessionId, now) {
      const userId = sessionOwners.get(sessionId);
      const unchanged = { changed: false, session: null, connection: null };
      if (userId === undefined) return unchanged;
      sessionOwners.delete(sessionId);
      const user = liveUser(userId);
      const record = user?.sessions.get(sessionId);
      if (!user || !record) return unchanged;

      const before = summarize(user.sessions);
      user.sessions.delete(sessionId);
      const after = summarize(user.sessions);
      if (after.count > 0) user.guildIds = [...after.guilds].sort();
      if (after.count === 0) {
        endVoice(userId, user, now);
        settleTimer(userId, now, now, false);
        user.lastSeenAt = now;
        retire(user, now);
      }
      for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, userId, now);
      publishPresence(userId, 'OFFLINE', after.count, missingFrom(before.guilds, after.guilds), now, after.count === 0);

      return {
        changed: true,
        session: toSession(sessionId, userId, record),
        connection: toConnection(userId, after.count, after.room, user.lastSeenAt),
      };
    },

    async getSession(sessionId) {
      const userId = sessionOwners.get(sessionId);
      const record = userId === undefined ? undefined : liveUser(userId)?.sessions.get(sessionId);
      return userId === undefined || !record ? null : toSession(sessionId, userId, record);
    },

    async connectionStates(userIds) {
      return userIds.map((userId) => {
        const user = liveUser(userId);
        if (!user) return { ...toConnection(userId, 0, null, null), guildIds: [] };
        const s = summarize(user.sessions);
        return { ...toConnection(userId, s.count, s.room, user.lastSeenAt), guildIds: user.guildIds };
      });
    },

    async joinVoice(input, now) {
      const user = userFor(input.userId);
      const current = user.voice;
      if (current?.guildId === input.guildId && current.channelId === input.channelId) {
        return voiceChange(input, now, null);
      }
      let members = voice.get(input.guildId);
      if (!members) voice.set(input.guildId, (members = new Map()));
      if (current?.guildId === input.guildId) {
        members.set(input.userId, input.channelId);
        user.voice = { guildId: input.guildId, channelId: input.channelId };
        const change = voiceChange(input, now, 'MOVED', current.channelId);
        void publish(topics.voiceGuild(input.guildId), change);
        return change;
      }
      endVoice(input.userId, user, now);
      members = voice.get(input.guildId) ?? new Map<string, string>();
      voice.set(input.guildId, members);
      members.set(input.userId, input.channelId);
      user.voice = { guildId: input.guildId, channelId: input.channelId };
      user.expiresAt = null;
      const change = voiceChange(input, now, 'JOINED');
      void publish(topics.voiceGuild(input.guildId), change);
      return change;
    },

    async leaveVoice(input, now) {
      const user = liveUser(input.userId);
      const current = user?.voice;
      if (!user || current?.guildId !== input.guildId || current.channelId !== input.channelId) {
        return voiceChange(input, now, null);
      }
      endVoice(input.userId, user, now);
      if (user.sessions.size === 0) retire(user, now);
      return voiceChange(input, now, 'LEFT');
    },

    async channelStates(guildId) {
      return groupChannels(guildId, voice.get(guildId) ?? []);
    },

    async startStudyTimer(userId, _roomId, now) {
      const today = calendar.dayOf(now);
      if (timers.has(userId)) return { changed: false, time: studyTimeOf(userId, today, now) };
      timers.set(userId, now);
      publishStudy(userId, today, now);
      return { changed: true, time: studyTimeOf(userId, today, now) };
    },

    async stopStudyTimer(userId, now) {
      const today = calendar.dayOf(now);
      const changed = timers.has(userId);
      settleTimer(userId, now, now, false);
      return { changed, time: studyTimeOf(userId, today, now) };
    },

    async saveStudyTime({ userId, seconds, roomId, leftRoom, day }, now) {
      const room = roomId ?? (leftRoom ? summarize(liveUser(userId)?.sessions ?? new Map()).room : null);
      if (leftRoom && room === null) throw badInput('leftRoom needs a roomId: the user is in no room');
      if (seconds > stored(userId, day, now)) {
        setTotal(userId, day, seconds, now);
        publishStudy(userId, day, now);
      }
      if (leftRoom && room !== null) publishRoomOut(room, userId, now);
      return studyTimeOf(userId, day, now);
    },

    async syncStudyTimes(entries, day, now) {
      let updated = 0;
      for (const { userId, seconds } of entries) {
        if (seconds <= stored(userId, day, now)) continue;
        setTotal(userId, day, seconds, now);
        publishStudy(userId, day, now);
        updated += 1;
      }
      return updated;
    },

    async studyTime(userId, day, now) {
      return studyTimeOf(userId, day, now);
    },

    async studyReport(day, first, after) {
      const now = clock.now();
      const ids = [...(dayKept(day, now) ? (totals.get(day)?.keys() ?? []) : [])]
        .filter((id) => after === null || byteOrder(id, after) > 0)
        .sort(byteOrder);
      const page = ids.slice(0, first);
      return {
        entries: page.map((userId) => ({ userId, day, seconds: stored(userId, day, now), running: timers.has(userId) })),
        hasNextPage: ids.length > first,
      };
    },

    async closeDay(day, now) {
      if (closedDays.has(day)) return null;
      const end = calendar.endOf(day);
      for (const [userId, start] of [...timers]) if (start < end) settleTimer(userId, end, now, true);
      const byUser = dayKept(day, now) ? totals.get(day) : undefined;
      let totalSeconds = 0;
      for (const seconds of byUser?.values() ?? []) totalSeconds += seconds;
      const closed = { day, users: byUser?.size ?? 0, totalSeconds };
      closedDays.set(day, closed);
      void publish(topics.studyDayClosed(), closed);
      return closed;
    },

    async ping() {},

    async close() {
      clearInterval(sweep);
      users.clear();
      sessionOwners.clear();
      voice.clear();
      totals.clear();
      timers.clear();
      closedDays.clear();
    },
  };
}
