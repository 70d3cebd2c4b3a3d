import type { Clock } from '../../clock.js';
import { badInput } from '../../errors.js';
import type { EventBus } from '../../pubsub/event-bus.js';
import { topics } from '../../pubsub/topics.js';
import type { EngineOptions, StateEngine } from '../engine.js';
import {
  byteOrder,
  groupChannels,
  liveStudyTime,
  sameContent,
  sessionContent,
  toConnection,
  toSession,
  voiceChange,
  type SessionContent,
  type SessionRecord,
} from '../records.js';
import type { ConnectionState, StudyDayClosed, StudyTime, VoiceChange } from '../types.js';
import { MAX_DAY_SECONDS } from '../../study/calendar.js';

interface UserRecord {
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

const addTo = <K, V>(map: Map<K, Set<V>>, key: K, value: V) => {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
};
const removeFrom = <K, V>(map: Map<K, Set<V>>, key: K, value: V) => {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
};

export interface MemoryEngineOptions extends EngineOptions {
  bus: EventBus;
  clock: Clock;
}

/**
 * The single-process engine: the same rules as the Lua scripts (same steps,
 * same event order), on Maps. Each method runs synchronously up to its
 * publishes, so every step is atomic.
 */
export function createMemoryEngine({
  bus,
  clock,
  calendar,
  presenceRetentionSeconds,
  studyRetentionDays,
  tombstoneSeconds,
  graceMs,
  defaultLeaseMs,
}: MemoryEngineOptions): StateEngine {
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

  function publishPresence(
    userId: string,
    user: UserRecord,
    state: ConnectionState,
    count: number,
    guildIds: string[],
    at: number,
    userChanged: boolean,
  ) {
    if (guildIds.length === 0 && !userChanged) return;
    user.version += 1;
    const event = {
      userId,
      state,
      previousState: state === 'ONLINE' ? 'OFFLINE' : 'ONLINE',
      sessionCount: count,
      guildIds,
      at,
      version: user.version,
      snapshot: false,
    } as const;
    if (userChanged) void publish(topics.presenceUser(userId), event);
    for (const g of guildIds) void publish(topics.presenceGuild(g), event);
  }

  function publishVoice(type: VoiceChange, guildId: string, channelId: string, previous: string | null, userId: string, at: number) {
    const version = (voiceVersions.get(guildId) ?? 0) + 1;
    voiceVersions.set(guildId, version);
    const change = voiceChange({ guildId, channelId, userId }, at, type, previous, version);
    void publish(topics.voiceGuild(guildId), change);
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

  /** Voice ends, the timer stops at `at`, the guilds stop seeing the user, OFFLINE, the retention clock. */
  function goOffline(userId: string, user: UserRecord, at: number, guilds: string[], now: number) {
    endVoice(userId, user, at);
    settleTimer(userId, at, now, false);
    for (const g of guilds) removeFrom(guildOnline, g, userId);
    user.lastSeenAt = at;
    user.pendingSince = null;
    pending.delete(userId);
    user.expiresAt = now + retentionMs;
    publishPresence(userId, user, 'OFFLINE', 0, guilds, at, true);
  }

  /** Opens or updates a session; see open_session in lua/lib.lua. */
  function openSession(userId: string, sessionId: string, content: SessionContent, now: number) {
    if (tombstoned(sessionId)) return { status: 'TOMB' as const };
    const owner = sessionOwners.get(sessionId);
    if (owner !== undefined && owner !== userId) return { status: 'OWNED' as const };
    const user = userFor(userId);
    const before = summarize(user.sessions);
    const wasPending = before.count === 0 && user.pendingSince !== null;
    const beforeGuilds = wasPending ? new Set(user.guildIds) : before.guilds;
    const old = user.sessions.get(sessionId);
    if (old && sameContent(old, content)) return { status: 'SAME' as const, user, record: old, after: before };

    user.seq += 1;
    const record: SessionRecord = { ...content, t: old ? old.t : now, q: user.seq };
    user.sessions.set(sessionId, record);
    sessionOwners.set(sessionId, userId);
    user.expiresAt = null;
    if (old?.n !== undefined && old.n !== record.n) removeFrom(nodeSessions, old.n, sessionId);
    if (record.n !== undefined) {
      addTo(nodeSessions, record.n, sessionId);
      // A node's lease starts with its first session (see open_session).
      if (!nodes.has(record.n)) nodes.set(record.n, now + defaultLeaseMs);
      unleased.delete(sessionId);
    } else {
      unleased.set(sessionId, record.t);
    }
    if (wasPending) {
      user.pendingSince = null;
      pending.delete(userId);
    }
    const after = summarize(user.sessions);
    user.guildIds = [...after.guilds].sort();
    const added = missingFrom(after.guilds, beforeGuilds);
    const removed = missingFrom(beforeGuilds, after.guilds);
    for (const g of added) addTo(guildOnline, g, userId);
    for (const g of removed) removeFrom(guildOnline, g, userId);
    publishPresence(userId, user, 'ONLINE', after.count, added, now, before.count === 0 && !wasPending);
    publishPresence(userId, user, 'OFFLINE', after.count, removed, now, false);
    for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, userId, now);
    return { status: 'CHANGED' as const, user, record, after };
  }

  /** Closes a session and leaves a tombstone; see close_session in lua/lib.lua. */
  function closeSession(sessionId: string, now: number) {
    tombstones.set(sessionId, now + tombstoneSeconds * 1000);
    const userId = sessionOwners.get(sessionId);
    if (userId === undefined) return null;
    sessionOwners.delete(sessionId);
    const user = liveUser(userId);
    const record = user?.sessions.get(sessionId);
    if (!user || !record) return null;

    const before = summarize(user.sessions);
    user.sessions.delete(sessionId);
    if (record.n !== undefined) removeFrom(nodeSessions, record.n, sessionId);
    else unleased.delete(sessionId);
    const after = summarize(user.sessions);
    if (after.count > 0) user.guildIds = [...after.guilds].sort();
    for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, userId, now);

    if (after.count > 0) {
      const removed = missingFrom(before.guilds, after.guilds);
      for (const g of removed) removeFrom(guildOnline, g, userId);
      publishPresence(userId, user, 'OFFLINE', after.count, removed, now, false);
    } else if (graceMs > 0) {
      user.pendingSince = now;
      pending.set(userId, now + graceMs);
    } else {
      goOffline(userId, user, now, [...before.guilds].sort(), now);
    }
    return { userId, user, record, after };
  }

  const connectionOf = (userId: string, user: UserRecord) => {
    const s = summarize(user.sessions);
    return toConnection(userId, s.count, s.room, user.lastSeenAt, user.pendingSince !== null);
  };

  return {
    async connectSession(input, now) {
      const opened = openSession(input.userId, input.sessionId, sessionContent(input), now);
      if (opened.status === 'OWNED') throw badInput(`session ${input.sessionId} belongs to another user`);
      if (opened.status === 'TOMB') {
        const user = liveUser(input.userId);
        return { changed: false, session: null, connection: user ? connectionOf(input.userId, user) : toConnection(input.userId, 0, null, null) };
      }
      return {
        changed: opened.status === 'CHANGED',
        session: toSession(input.sessionId, input.userId, opened.record),
        connection: connectionOf(input.userId, opened.user),
      };
    },

    async disconnectSession(sessionId, now) {
      const closed = closeSession(sessionId, now);
      if (!closed) return { changed: false, session: null, connection: null };
      return {
        changed: true,
        session: toSession(sessionId, closed.userId, closed.record),
        connection: connectionOf(closed.userId, closed.user),
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
        return { ...connectionOf(userId, user), guildIds: user.guildIds };
      });
    },

    async joinVoice(input, now) {
      const user = userFor(input.userId);
      if (input.at !== null && user.voiceAt !== null && input.at < user.voiceAt) return voiceChange(input, now, null);
      if (input.at !== null) user.voiceAt = input.at;
      const current = user.voice;
      if (current?.guildId === input.guildId && current.channelId === input.channelId) return voiceChange(input, now, null);
      if (current?.guildId === input.guildId) {
        voice.get(input.guildId)?.set(input.userId, input.channelId);
        user.voice = { guildId: input.guildId, channelId: input.channelId };
        return publishVoice('MOVED', input.guildId, input.channelId, current.channelId, input.userId, now);
      }
      endVoice(input.userId, user, now);
      let members = voice.get(input.guildId);
      if (!members) voice.set(input.guildId, (members = new Map()));
      members.set(input.userId, input.channelId);
      user.voice = { guildId: input.guildId, channelId: input.channelId };
      user.expiresAt = null;
      return publishVoice('JOINED', input.guildId, input.channelId, null, input.userId, now);
    },

    async leaveVoice(input, now) {
      const user = liveUser(input.userId);
      if (!user) return voiceChange(input, now, null);
      if (input.at !== null && user.voiceAt !== null && input.at < user.voiceAt) return voiceChange(input, now, null);
      if (input.at !== null) user.voiceAt = input.at;
      const current = user.voice;
      if (current?.guildId !== input.guildId || current.channelId !== input.channelId) return voiceChange(input, now, null);
      voice.get(input.guildId)?.delete(input.userId);
      if (voice.get(input.guildId)?.size === 0) voice.delete(input.guildId);
      user.voice = null;
      const change = publishVoice('LEFT', input.guildId, input.channelId, null, input.userId, now);
      if (user.sessions.size === 0 && user.pendingSince === null) user.expiresAt = now + retentionMs;
      return change;
    },

    async channelStates(guildId) {
      return groupChannels(guildId, voice.get(guildId) ?? []);
    },

    async heartbeat(nodeId, leaseMs, now) {
      const known = nodes.get(nodeId);
      nodes.set(nodeId, now + leaseMs);
      return { nodeId, resync: known === undefined || known <= now, expiresAt: now + leaseMs };
    },

    async syncNodeSessions(nodeId, sessions, leaseMs, now) {
      const listed = new Set(sessions.map((s) => s.sessionId));
      let closed = 0;
      for (const sessionId of [...(nodeSessions.get(nodeId) ?? [])]) {
        if (listed.has(sessionId)) continue;
        closeSession(sessionId, now);
        closed += 1;
      }
      let opened = 0;
      let unchanged = 0;
      const refused: string[] = [];
      for (const s of sessions) {
        const result = openSession(s.userId, s.sessionId, sessionContent({ ...s, nodeId }), now);
        if (result.status === 'CHANGED') opened += 1;
        else if (result.status === 'SAME') unchanged += 1;
        else refused.push(s.sessionId);
      }
      nodes.set(nodeId, now + leaseMs);
      return { nodeId, opened, closed, unchanged, refused };
    },

    async reap(now, sessionMaxAgeMs) {
      let closed = 0;
      let offline = 0;
      for (const [nodeId, expiresAt] of [...nodes]) {
        if (expiresAt >= now) continue;
        for (const sessionId of [...(nodeSessions.get(nodeId) ?? [])]) {
          closeSession(sessionId, now);
          closed += 1;
        }
        nodeSessions.delete(nodeId);
        nodes.delete(nodeId);
      }
      for (const [sessionId, connectedAt] of [...unleased]) {
        if (connectedAt >= now - sessionMaxAgeMs) continue;
        closeSession(sessionId, now);
        unleased.delete(sessionId);
        closed += 1;
      }
      for (const [userId, due] of [...pending]) {
        if (due > now) continue;
        pending.delete(userId);
        const user = liveUser(userId);
        if (!user || user.pendingSince === null || user.sessions.size > 0) continue;
        goOffline(userId, user, user.pendingSince, user.guildIds, now);
        offline += 1;
      }
      return { closed, offline };
    },

    async presenceSnapshot(target) {
      const ids = 'guildId' in target ? [...(guildOnline.get(target.guildId) ?? [])] : target.userIds;
      return ids.map((userId) => {
        const user = liveUser(userId);
        const count = user?.sessions.size ?? 0;
        return {
          userId,
          sessionCount: count,
          online: count > 0 || (user?.pendingSince ?? null) !== null,
          guildIds: user?.guildIds ?? [],
          version: user?.version ?? 0,
        };
      });
    },

    async voiceSnapshot(guildId) {
      return { version: voiceVersions.get(guildId) ?? 0, members: [...(voice.get(guildId) ?? [])] };
    },

    // One process: the lock is always free.
    async tryLock() {
      return 'memory';
    },
    async unlock() {},

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
      for (const map of [users, sessionOwners, tombstones, voice, voiceVersions, guildOnline, nodes, nodeSessions, unleased, pending, totals, timers, closedDays]) {
        map.clear();
      }
    },
  };
}
