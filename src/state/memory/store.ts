import type { Clock } from '../../clock.js';
import { topics, type StateBus } from '../topics.js';
import type { EngineOptions } from '../engine.js';
import { liveStudyTime, voiceChange, type SessionRecord } from '../records.js';
import type { ChosenStatus, CustomStatus, PresenceEvent, StudyDayClosed, StudyTime, VoiceChange, VoiceStateChange } from '../types.js';
import { createMemoryLogs } from './logs.js';
import { activityCode, presenceChanges, presenceView, type PresenceFields, type PresenceView } from '../status.js';
import { MAX_DAY_SECONDS } from '../calendar.js';

export interface UserRecord {
  sessions: Map<string, SessionRecord>;
  seq: number;
  lastSeenAt: number | null;
  voice: { guildId: string; channelId: string } | null;
  /** Source time of the last voice event applied. */
  voiceAt: number | null;
  /** Guilds of the live sessions; the last ones while offline. */
  guildIds: string[];
  /** When the user went offline while PRESENCE_GRACE_MS holds the OFFLINE back. */
  pendingSince: number | null;
  /** Presence version: raised by every presence event of the user. */
  version: number;
  /** Offline records are dropped after this time (epoch ms); null while live. */
  expiresAt: number | null;
  /** The sessions' activity code (status.ts); kept while an OFFLINE is held back. */
  code: string;
  chosen: ChosenStatus;
  customStatus: CustomStatus | null;
  /** lastSeenAt as users see it while invisible. */
  hiddenLastSeenAt: number | null;
  /** The last closed session, for presenceExplain. */
  lastClosed: { sessionId: string; closedAt: number } | null;
}

/** The fields status.ts reads, as lua/lib/status.lua reads them from the user hash. */
export const fieldsOf = (user: UserRecord): PresenceFields => ({
  sessionCount: user.sessions.size,
  pending: user.pendingSince !== null,
  code: user.code,
  chosen: user.chosen,
  customStatus: user.customStatus,
  guildIds: user.guildIds,
});

interface Summary {
  count: number;
  guilds: Set<string>;
  rooms: Set<string>;
  room: string | null;
  code: string;
}

export function summarize(sessions: Map<string, SessionRecord>): Summary {
  const s: Summary = { count: 0, guilds: new Set(), rooms: new Set(), room: null, code: activityCode([...sessions.values()].map((r) => r.f)) };
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
export const missingFrom = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

export const addTo = <K, V>(map: Map<K, Set<V>>, key: K, value: V) => {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
};
export const removeFrom = <K, V>(map: Map<K, Set<V>>, key: K, value: V) => {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
};

export interface MemoryEngineOptions extends EngineOptions {
  bus: StateBus;
  clock: Clock;
}

/**
 * The memory engine's state and the steps every domain shares (publishing,
 * ending voice, settling timers, going offline), mirroring lua/lib/sessions.lua.
 */
export function createMemoryStore({
  bus,
  clock,
  calendar,
  presenceRetentionSeconds,
  studyRetentionDays,
  tombstoneSeconds,
  graceMs,
  defaultLeaseMs,
  resume,
}: MemoryEngineOptions) {
  const users = new Map<string, UserRecord>();
  const sessionOwners = new Map<string, string>();
  const tombstones = new Map<string, number>(); // sessionId → expiry
  const voice = new Map<string, Map<string, string>>(); // guildId → userId → channelId
  const voiceVersions = new Map<string, number>();
  const guildOnline = new Map<string, Set<string>>();
  const nodes = new Map<string, number>(); // nodeId → lease expiry
  const nodeSessions = new Map<string, Set<string>>();
  const unleased = new Map<string, number>(); // sessionId → connectedAt
  const pending = new Map<string, number>(); // userId → OFFLINE due
  const statusExpiry = new Map<string, number>(); // userId → when their custom status expires
  const totals = new Map<string, Map<string, number>>(); // day → userId → seconds
  const timers = new Map<string, number>(); // userId → running timer's start
  const closedDays = new Map<string, StudyDayClosed>();
  const retentionMs = presenceRetentionSeconds * 1000;
  const presenceLogs = createMemoryLogs<PresenceEvent>(clock, resume);
  const voiceLogs = createMemoryLogs<VoiceStateChange>(clock, resume);
  const studyRetentionMs = studyRetentionDays * 86_400_000;
  const dayKept = (day: string, now: number) => calendar.endOf(day) + studyRetentionMs > now;
  // In memory a publish reaches local listeners at once and never fails.
  const publish: StateBus['publish'] = (topic, payload) => bus.publish(topic, payload);

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
      user = {
        sessions: new Map(),
        seq: 0,
        lastSeenAt: null,
        voice: null,
        voiceAt: null,
        guildIds: [],
        pendingSince: null,
        version: 0,
        expiresAt: null,
        code: 'a',
        chosen: 'ONLINE',
        customStatus: null,
        hiddenLastSeenAt: null,
        lastClosed: null,
      };
      users.set(userId, user);
    }
    return user;
  };
  const tombstoned = (sessionId: string) => (tombstones.get(sessionId) ?? 0) > clock.now();

  // Records past retention are also dropped without being read, so a
  // long-running process does not keep every user it ever saw.
  const sweep = setInterval(() => {
    const now = clock.now();
    for (const [userId, user] of users) if (user.expiresAt !== null && user.expiresAt <= now) users.delete(userId);
    for (const [sessionId, until] of tombstones) if (until <= now) tombstones.delete(sessionId);
    for (const day of totals.keys()) if (!dayKept(day, now)) totals.delete(day);
    for (const day of closedDays.keys()) if (!dayKept(day, now)) closedDays.delete(day);
  }, 60_000);
  sweep.unref();

  /** Publishes the events from view `before` to the user's view now, keeping the guilds' online sets (publish_changes in lua/lib/events.lua). */
  function publishChanges(userId: string, user: UserRecord, before: PresenceView, at: number) {
    for (const c of presenceChanges(before, presenceView(fieldsOf(user)))) {
      user.version += 1;
      const event = {
        userId,
        state: c.state,
        previousState: c.previousState,
        status: c.status,
        previousStatus: c.previousStatus,
        platforms: c.platforms,
        customStatus: c.customStatus,
        sessionCount: c.sessionCount,
        guildIds: c.guildIds,
        at,
        version: user.version,
        snapshot: false,
        position: null,
      } as const;
      if (c.user) void publish(topics.presenceUser(userId), event);
      if (c.onlyUser) continue;
      for (const g of c.guildIds) {
        if (c.previousState === 'OFFLINE') addTo(guildOnline, g, userId);
        else if (c.state === 'OFFLINE') removeFrom(guildOnline, g, userId);
        void publish(topics.presenceGuild(g), presenceLogs.append(g, event));
      }
    }
  }

  function publishVoice(type: VoiceChange, guildId: string, channelId: string, previous: string | null, userId: string, at: number) {
    const version = (voiceVersions.get(guildId) ?? 0) + 1;
    voiceVersions.set(guildId, version);
    const change = voiceChange({ guildId, channelId, userId }, at, type, previous, version);
    // The stream's copy has its position; the mutation answers without one, as on Redis.
    void publish(topics.voiceGuild(guildId), voiceLogs.append(guildId, change));
    return change;
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
    publishVoice('LEFT', guildId, channelId, null, userId, at);
  }

  const stored = (userId: string, day: string, now: number) => (dayKept(day, now) ? (totals.get(day)?.get(userId) ?? 0) : 0);
  const setTotal = (userId: string, day: string, seconds: number, now: number) => {
    let byUser = totals.get(day);
    if (!byUser || !dayKept(day, now)) totals.set(day, (byUser = new Map()));
    byUser.set(userId, seconds);
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
    for (const [day, seconds] of calendar.split(start, Math.max(start, until))) {
      setTotal(userId, day, Math.min(MAX_DAY_SECONDS, stored(userId, day, now) + seconds), now);
      publishStudy(userId, day, now);
    }
  }

  /** Voice ends, the timer stops at `at`, the guilds stop seeing the user, OFFLINE, the retention clock. `before`: the user's view while still online. */
  function goOffline(userId: string, user: UserRecord, at: number, before: PresenceView, now: number) {
    endVoice(userId, user, at);
    settleTimer(userId, at, now, false);
    user.lastSeenAt = at;
    user.pendingSince = null;
    pending.delete(userId);
    user.expiresAt = now + retentionMs;
    publishChanges(userId, user, before, at);
  }

  return {
    users,
    sessionOwners,
    tombstones,
    voice,
    voiceVersions,
    guildOnline,
    nodes,
    nodeSessions,
    unleased,
    pending,
    statusExpiry,
    presenceLogs,
    voiceLogs,
    totals,
    timers,
    closedDays,
    retentionMs,
    dayKept,
    publish,
    liveUser,
    userFor,
    tombstoned,
    sweep,
    publishChanges,
    publishVoice,
    publishRoomOut,
    endVoice,
    stored,
    setTotal,
    studyTimeOf,
    publishStudy,
    settleTimer,
    goOffline,
    clock,
    calendar,
    graceMs,
    tombstoneSeconds,
    defaultLeaseMs,
  };
}

export type MemoryStore = ReturnType<typeof createMemoryStore>;
