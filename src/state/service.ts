import type { Clock } from '../clock.js';
import { badInput } from '../errors.js';
import type { EventBus } from '../pubsub/event-bus.js';
import { topics } from '../pubsub/topics.js';
import { isDay, MAX_DAY_SECONDS, type StudyCalendar } from '../study/calendar.js';
import { assertId, assertIdList, assertIdSet, assertInt, assertOptionalId, assertText } from '../validate.js';
import type { Viewer } from '../auth/caller.js';
import type { StateEngine } from './engine.js';
import { groupChannels, toConnection, voiceChange } from './records.js';
import { withSnapshot } from '../pubsub/with-snapshot.js';
import type { Reliability } from '../config.js';
import type {
  PresenceEvent,
  RoomEvent,
  RoomEventType,
  Session,
  SessionResult,
  StudyDayClosed,
  NodeLease,
  NodeSyncResult,
  StudyReportPage,
  StudyTime,
  StudyTimeEvent,
  UserConnection,
  VoiceChannel,
  VoiceChannelInput,
  VoiceStateChange,
} from './types.js';

export interface ConnectSessionArgs {
  sessionId: unknown;
  userId: unknown;
  guildIds?: readonly unknown[] | null;
  roomId?: unknown;
  nodeId?: unknown;
}

export interface VoiceArgs {
  guildId: unknown;
  channelId: unknown;
  userId: unknown;
  /** Source time (epoch ms) from the signaling server. */
  at?: number | null;
}

export interface PresenceFilter {
  guildId?: unknown;
  userIds?: readonly unknown[] | null;
  includeSnapshot?: boolean | null;
}

export interface NodeSyncArgs {
  nodeId: unknown;
  sessions: ReadonlyArray<Omit<ConnectSessionArgs, 'nodeId'>>;
  ttlSeconds?: unknown;
}

export interface StudyTimerArgs {
  userId: unknown;
  roomId?: unknown;
}

export interface SaveStudyTimeArgs {
  userId: unknown;
  seconds: unknown;
  roomId?: unknown;
  leftRoom?: boolean | null;
  day?: unknown;
}

export interface SyncStudyTimesArgs {
  entries: ReadonlyArray<{ userId: unknown; seconds: unknown }>;
  final?: boolean | null;
  day?: unknown;
}

export interface RoomEventArgs {
  type: unknown;
  roomId: unknown;
  userId: unknown;
  targetUserId?: unknown;
  alertCount?: unknown;
  message?: unknown;
}

/**
 * The one place the state rules are entered: input is validated and the clock
 * read here, then one engine call does the atomic work. Resolvers call only this.
 */
export interface StateService {
  connectSession(input: ConnectSessionArgs): Promise<SessionResult>;
  disconnectSession(sessionId: unknown): Promise<SessionResult>;
  session(sessionId: unknown): Promise<Session | null>;
  /** With a viewer (a user token), users sharing none of its guilds read as unknown: OFFLINE. */
  connectionStates(userIds: readonly unknown[], viewer?: Viewer | null): Promise<UserConnection[]>;
  joinVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  leaveVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  channelStates(guildId: unknown): Promise<VoiceChannel[]>;
  heartbeat(nodeId: unknown, ttlSeconds?: unknown): Promise<NodeLease>;
  syncNodeSessions(input: NodeSyncArgs): Promise<NodeSyncResult>;
  /**
   * One maintenance pass (every instance runs one each second): under a
   * Redis lock, reap lapsed nodes and over-age sessions and send held-back
   * OFFLINE events; then close ended study days.
   */
  maintain(): Promise<{ closed: number; offline: number; days: StudyDayClosed[] }>;

  startStudyTimer(input: StudyTimerArgs): Promise<StudyTime>;
  stopStudyTimer(input: StudyTimerArgs): Promise<StudyTime>;
  saveStudyTime(input: SaveStudyTimeArgs): Promise<StudyTime>;
  syncStudyTimes(input: SyncStudyTimesArgs): Promise<{ updated: number; day: string }>;
  /** Default day: the current study day. */
  studyTime(userId: unknown, day?: unknown): Promise<StudyTime>;
  studyReport(day: unknown, first?: unknown, after?: unknown): Promise<StudyReportPage>;
  /** Closes every ended day not closed yet (exactly once across instances); returns those this call closed. */
  closeEndedDays(): Promise<StudyDayClosed[]>;
  publishRoomEvent(input: RoomEventArgs): Promise<RoomEvent>;

  /** Resolves once subscribed: events after that are not missed. */
  presenceChanged(filter: PresenceFilter): Promise<AsyncIterableIterator<PresenceEvent>>;
  channelStateChanged(guildId: unknown, includeSnapshot?: boolean | null): Promise<AsyncIterableIterator<VoiceStateChange>>;
  roomEvents(roomId?: unknown): Promise<AsyncIterableIterator<RoomEvent>>;
  studyTimeChanged(userId: unknown): Promise<AsyncIterableIterator<StudyTimeEvent>>;
  studyDayClosed(): Promise<AsyncIterableIterator<StudyDayClosed>>;
  /** Whether the store answers. */
  ready(): Promise<boolean>;
}

export interface StateServiceDeps {
  engine: StateEngine;
  bus: EventBus;
  clock: Clock;
  calendar: StudyCalendar;
  /** Days a day's totals are kept; older days cannot be written. */
  studyRetentionDays: number;
  /** A day is closed this long after it ends. @default 0 */
  closeDelayMs?: number;
  reliability: Reliability;
}

/** Most sessions one syncNodeSessions call takes. */
export const MAX_NODE_SESSIONS = 10_000;
/** How long one instance holds the maintenance lock at most. */
const MAINTENANCE_LOCK_MS = 10_000;

/** Most entries one syncStudyTimes call takes. */
export const MAX_SYNC_ENTRIES = 1000;
/** studyReport page sizes. */
export const REPORT_PAGE = { default: 100, max: 1000 } as const;
/** How far back a service catches up on days nobody closed (all instances down). */
const CATCH_UP_DAYS = 3;

const ROOM_EVENT_TYPES = new Set<RoomEventType>(['ALERT', 'KICK_OUT', 'KICK_OUT_BY_ALERT', 'DELEGATE']);

const voiceInput = (input: VoiceArgs): VoiceChannelInput => ({
  guildId: assertId(input.guildId, 'guildId'),
  channelId: assertId(input.channelId, 'channelId'),
  userId: assertId(input.userId, 'userId'),
  at: input.at === null || input.at === undefined ? null : input.at,
});

const sessionInput = (input: ConnectSessionArgs, field = 'input') => ({
  sessionId: assertId(input.sessionId, `${field}.sessionId`),
  userId: assertId(input.userId, `${field}.userId`),
  guildIds: assertIdSet(input.guildIds, `${field}.guildIds`),
  roomId: assertOptionalId(input.roomId, `${field}.roomId`),
  nodeId: assertOptionalId(input.nodeId, `${field}.nodeId`),
});

// studyReport cursors are opaque: the last user id of a page, base64url.
const encodeCursor = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');
function decodeCursor(cursor: unknown): string | null {
  if (cursor === null || cursor === undefined) return null;
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,700}$/.test(cursor)) throw badInput('after is not a cursor from studyReport');
  return assertId(Buffer.from(cursor, 'base64url').toString('utf8'), 'after');
}

export function createStateService({
  engine,
  bus,
  clock,
  calendar,
  studyRetentionDays,
  closeDelayMs = 0,
  reliability,
}: StateServiceDeps): StateService {
  const leaseMs = (ttlSeconds: unknown) =>
    1000 * (ttlSeconds === null || ttlSeconds === undefined ? reliability.nodeLeaseSeconds : assertInt(ttlSeconds, 'ttlSeconds', 1, 3600));
  const readDay = (day: unknown): string => {
    if (day === null || day === undefined) return calendar.dayOf(clock.now());
    if (typeof day !== 'string' || !isDay(day)) throw badInput('day must be a date, YYYY-MM-DD');
    return day;
  };
  /** A day that may still be written: not in the future, not past retention. */
  const writableDay = (day: unknown): string => {
    const valid = readDay(day);
    const today = calendar.dayOf(clock.now());
    if (valid > today) throw badInput(`day ${valid} has not started yet`);
    if (valid < calendar.addDays(today, -studyRetentionDays)) throw badInput(`day ${valid} is no longer kept`);
    return valid;
  };
  const seconds = (value: unknown, field: string) => assertInt(value, field, 0, MAX_DAY_SECONDS);

  let lastClosed: string | null = null;

  const service: StateService = {
    connectSession: async (input) => engine.connectSession(sessionInput(input, 'input'), clock.now()),
    disconnectSession: async (sessionId) => engine.disconnectSession(assertId(sessionId, 'sessionId'), clock.now()),
    session: async (sessionId) => engine.getSession(assertId(sessionId, 'sessionId')),
    async connectionStates(userIds, viewer = null) {
      const states = await engine.connectionStates(assertIdList(userIds, 'userIds'));
      // The guild lists decide visibility only; they are not part of the answer.
      return states.map(({ guildIds, ...connection }) =>
        viewer === null || connection.userId === viewer.userId || guildIds.some((g) => viewer.guildIds.has(g))
          ? connection
          : toConnection(connection.userId, 0, null, null),
      );
    },
    joinVoiceChannel: async (input) => engine.joinVoice(voiceInput(input), clock.now()),
    leaveVoiceChannel: async (input) => engine.leaveVoice(voiceInput(input), clock.now()),
    channelStates: async (guildId) => engine.channelStates(assertId(guildId, 'guildId')),
    heartbeat: async (nodeId, ttlSeconds) => engine.heartbeat(assertId(nodeId, 'nodeId'), leaseMs(ttlSeconds), clock.now()),
    async syncNodeSessions({ nodeId, sessions, ttlSeconds }) {
      const node = assertId(nodeId, 'nodeId');
      if (sessions.length > MAX_NODE_SESSIONS) throw badInput(`sessions holds at most ${MAX_NODE_SESSIONS}, got ${sessions.length}`);
      const valid = sessions.map((s, i) => ({ ...sessionInput({ ...s, nodeId: null }, `sessions[${i}]`), nodeId: node }));
      if (new Set(valid.map((s) => s.sessionId)).size !== valid.length) throw badInput('sessions lists a sessionId twice');
      return engine.syncNodeSessions(node, valid, leaseMs(ttlSeconds), clock.now());
    },
    async maintain() {
      const token = await engine.tryLock('maintenance', MAINTENANCE_LOCK_MS);
      let reaped = { closed: 0, offline: 0 };
      if (token) {
        try {
          reaped = await engine.reap(clock.now(), reliability.sessionMaxAgeSeconds * 1000);
        } finally {
          await engine.unlock('maintenance', token);
        }
      }
      return { ...reaped, days: await service.closeEndedDays() };
    },

    async startStudyTimer({ userId, roomId }) {
      const { time } = await engine.startStudyTimer(assertId(userId, 'userId'), assertOptionalId(roomId, 'roomId'), clock.now());
      return time;
    },
    async stopStudyTimer({ userId, roomId }) {
      assertOptionalId(roomId, 'roomId');
      return (await engine.stopStudyTimer(assertId(userId, 'userId'), clock.now())).time;
    },
    async saveStudyTime(input) {
      const valid = {
        userId: assertId(input.userId, 'userId'),
        seconds: seconds(input.seconds, 'seconds'),
        roomId: assertOptionalId(input.roomId, 'roomId'),
        leftRoom: input.leftRoom === true,
        day: writableDay(input.day),
      };
      return engine.saveStudyTime(valid, clock.now());
    },
    async syncStudyTimes({ entries, final, day }) {
      if (entries.length > MAX_SYNC_ENTRIES) {
        throw badInput(`entries holds at most ${MAX_SYNC_ENTRIES} users, got ${entries.length}`);
      }
      const valid = entries.map((e, i) => ({
        userId: assertId(e.userId, `entries[${i}].userId`),
        seconds: seconds(e.seconds, `entries[${i}].seconds`),
      }));
      const target = writableDay(day);
      const updated = valid.length > 0 ? await engine.syncStudyTimes(valid, target, clock.now()) : 0;
      // The last batch of an ended day (seed SCHEDULER_LAST) closes it now
      // rather than after STUDY_CLOSE_DELAY_SECONDS.
      if (final === true && calendar.endOf(target) <= clock.now()) await engine.closeDay(target, clock.now());
      return { updated, day: target };
    },
    studyTime: async (userId, day) => engine.studyTime(assertId(userId, 'userId'), readDay(day), clock.now()),
    async studyReport(day, first, after) {
      if (day === null || day === undefined) throw badInput('day is required');
      const valid = readDay(day);
      const size = first === null || first === undefined ? REPORT_PAGE.default : assertInt(first, 'first', 1, REPORT_PAGE.max);
      const page = await engine.studyReport(valid, size, decodeCursor(after));
      const last = page.entries.at(-1);
      return { day: valid, entries: page.entries, hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.userId) : null };
    },
    async closeEndedDays() {
      const now = clock.now();
      const lastEnded = calendar.addDays(calendar.dayOf(now - closeDelayMs), -1);
      let day = lastClosed === null ? calendar.addDays(lastEnded, 1 - CATCH_UP_DAYS) : calendar.addDays(lastClosed, 1);
      const closed: StudyDayClosed[] = [];
      for (; day <= lastEnded; day = calendar.addDays(day, 1)) {
        const summary = await engine.closeDay(day, now);
        if (summary) closed.push(summary);
        lastClosed = day;
      }
      return closed;
    },
    async publishRoomEvent(input) {
      const type = input.type as RoomEventType;
      if (!ROOM_EVENT_TYPES.has(type)) {
        throw badInput(type === 'ROOM_OUT' ? 'ROOM_OUT is published by the state server itself' : 'type is not a room event type');
      }
      const event: RoomEvent = {
        type,
        roomId: assertId(input.roomId, 'roomId'),
        userId: assertId(input.userId, 'userId'),
        targetUserId: assertOptionalId(input.targetUserId, 'targetUserId'),
        alertCount: input.alertCount === null || input.alertCount === undefined ? null : assertInt(input.alertCount, 'alertCount', 0, 1_000_000),
        message: input.message === null || input.message === undefined ? null : assertText(input.message, 'message', 1000),
        at: clock.now(),
      };
      if (type === 'ALERT' && event.alertCount === null) throw badInput('ALERT needs an alertCount');
      if (type !== 'ALERT' && event.alertCount !== null) throw badInput('alertCount applies only to ALERT');
      if (type === 'DELEGATE' && event.targetUserId === null) throw badInput('DELEGATE needs a targetUserId');
      await bus.publish(topics.room(event.roomId), event);
      return event;
    },

    async presenceChanged({ guildId, userIds, includeSnapshot }) {
      const users = userIds === null || userIds === undefined ? null : assertIdSet(userIds, 'userIds');
      const guild = guildId === null || guildId === undefined ? null : assertId(guildId, 'guildId');
      if (guild === null && (!users || users.length === 0)) {
        throw badInput('presenceChanged needs a guildId or at least one userId');
      }
      // Both filters: the guild's view, narrowed to those users.
      const only = guild !== null && users && users.length > 0 ? new Set(users) : null;
      const live =
        guild === null
          ? await bus.subscribe(users!.map((id) => topics.presenceUser(id)))
          : await bus.subscribe([topics.presenceGuild(guild)], only ? { filter: (e) => only.has(e.userId) } : {});
      if (!includeSnapshot) return live;

      // Subscribed first, so nothing published from now on is missed.
      try {
        const entries = await engine.presenceSnapshot(guild === null ? { userIds: users! } : { guildId: guild });
        const now = clock.now();
        const snapshot: PresenceEvent[] = entries
          .filter((e) => !only || only.has(e.userId))
          .map((e) => {
            const state = e.online ? 'ONLINE' : 'OFFLINE';
            const guildIds = guild === null ? e.guildIds : [guild];
            return { userId: e.userId, state, previousState: state, sessionCount: e.sessionCount, guildIds, at: now, version: e.version, snapshot: true };
          });
        const seen = new Map(entries.map((e) => [e.userId, e.version]));
        return withSnapshot(snapshot, live, (event) => event.version > (seen.get(event.userId) ?? 0));
      } catch (error) {
        await live.return?.();
        throw error;
      }
    },
    async channelStateChanged(guildId, includeSnapshot) {
      const guild = assertId(guildId, 'guildId');
      const live = await bus.subscribe([topics.voiceGuild(guild)]);
      if (!includeSnapshot) return live;
      try {
        const { version, members } = await engine.voiceSnapshot(guild);
        const now = clock.now();
        const snapshot = groupChannels(guild, members).flatMap((channel) =>
          channel.userIds.map((userId) => ({
            ...voiceChange({ guildId: guild, channelId: channel.channelId, userId }, now, 'JOINED', null, version),
            snapshot: true,
          })),
        );
        return withSnapshot(snapshot, live, (event) => (event.version ?? 0) > version);
      } catch (error) {
        await live.return?.();
        throw error;
      }
    },
    roomEvents: async (roomId) =>
      bus.subscribe([roomId === null || roomId === undefined ? topics.allRooms() : topics.room(assertId(roomId, 'roomId'))]),
    studyTimeChanged: async (userId) => bus.subscribe([topics.studyUser(assertId(userId, 'userId'))]),
    studyDayClosed: async () => bus.subscribe([topics.studyDayClosed()]),

    async ready() {
      try {
        await engine.ping();
        return true;
      } catch {
        return false;
      }
    },
  };
  return service;
}
