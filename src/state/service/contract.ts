import type { Viewer } from '../../auth/caller.js';
import type { Clock } from '../../clock.js';
import type { Reliability } from '../../config.js';
import type { StudyCalendar } from '../calendar.js';
import type { StateEngine } from '../engine.js';
import type { StateBus } from '../topics.js';
import type {
  GuildPresence,
  PresenceEvent,
  PresenceExplanation,
  OnlineMembersPage,
  RoomEvent,
  Session,
  SessionItem,
  SessionResult,
  StudyDayClosed,
  NodeLease,
  NodeSyncResult,
  StudyReportPage,
  StudyTime,
  StudyTimeEvent,
  UserConnection,
  VoiceChannel,
  VoiceStateChange,
} from '../types.js';

// What the state service takes and answers; service.ts builds it from the
// domain files beside this one, which need only these types.

export interface ConnectSessionArgs {
  sessionId: unknown;
  userId: unknown;
  guildIds?: readonly unknown[] | null;
  roomId?: unknown;
  nodeId?: unknown;
  activity?: unknown;
  platform?: unknown;
}

export interface CustomStatusArgs {
  text?: unknown;
  emoji?: unknown;
  /** Epoch ms (the DateTime scalar parsed it). */
  expiresAt?: unknown;
}

export interface SetUserStatusArgs {
  userId: unknown;
  status: unknown;
  customStatus?: CustomStatusArgs | null;
}

export interface SetSessionActivityArgs {
  sessionId: unknown;
  activity: unknown;
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
  /** Also status changes (status, platforms, custom status) of users who stay online; by default only ONLINE/OFFLINE transitions. */
  statusChanges?: boolean | null;
  /** A guild stream's position from an earlier event: first the events missed since (or one RESYNC event), then live ones. */
  after?: unknown;
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
  /** The room server's id for this event: a retry with the same id is relayed once. */
  eventId?: unknown;
}

/**
 * The one place the state rules are entered: input is validated and the clock
 * read here, then one engine call does the atomic work. Resolvers call only this.
 */
export interface StateService {
  connectSession(input: ConnectSessionArgs): Promise<SessionResult>;
  disconnectSession(sessionId: unknown): Promise<SessionResult>;
  /** connectSession for up to BATCH_LIMIT inputs, results in order; an invalid item gets its own error, the others apply. */
  connectSessions(inputs: readonly ConnectSessionArgs[]): Promise<SessionItem[]>;
  /** disconnectSession for up to BATCH_LIMIT session ids, as connectSessions. */
  disconnectSessions(sessionIds: readonly unknown[]): Promise<SessionItem[]>;
  session(sessionId: unknown): Promise<Session | null>;
  /** Chosen status (ONLINE, DND, INVISIBLE) and custom status (undefined keeps it, null clears it); answers the truth. */
  setUserStatus(input: SetUserStatusArgs): Promise<UserConnection>;
  setSessionActivity(input: SetSessionActivityArgs): Promise<SessionResult>;
  /** Everything that keeps a user shown as they are (services). */
  presenceExplain(userId: unknown): Promise<PresenceExplanation>;
  /** With a viewer (a user token), users sharing none of its guilds read as unknown: OFFLINE. */
  connectionStates(userIds: readonly unknown[], viewer?: Viewer | null): Promise<UserConnection[]>;
  joinVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  leaveVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  channelStates(guildId: unknown): Promise<VoiceChannel[]>;
  guildPresence(guildId: unknown): Promise<GuildPresence>;
  /** A page of the guild's online members in id order (first: default 100, at most 1000), as its view shows them. */
  onlineMembers(guildId: unknown, first?: unknown, after?: unknown): Promise<OnlineMembersPage>;
  /** The guild's counts now, then each change of them, at most one event per `guildCountsIntervalMs`. */
  guildPresenceChanged(guildId: unknown): Promise<AsyncIterableIterator<GuildPresence>>;
  heartbeat(nodeId: unknown, ttlSeconds?: unknown): Promise<NodeLease>;
  /** Known gateway nodes, soonest lease expiry first (at most 1000); `resync` marks a lapsed one. */
  nodeLeases(): Promise<NodeLease[]>;
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
  /** With `after` (a position from an earlier event), the events missed since, then live ones; a RESYNC event when they are no longer kept. */
  channelStateChanged(guildId: unknown, includeSnapshot?: boolean | null, after?: unknown): Promise<AsyncIterableIterator<VoiceStateChange>>;
  roomEvents(roomId?: unknown): Promise<AsyncIterableIterator<RoomEvent>>;
  studyTimeChanged(userId: unknown): Promise<AsyncIterableIterator<StudyTimeEvent>>;
  studyDayClosed(): Promise<AsyncIterableIterator<StudyDayClosed>>;
  /** Whether the store answers. */
  ready(): Promise<boolean>;
}

export interface StateServiceDeps {
  engine: StateEngine;
  bus: StateBus;
  clock: Clock;
  calendar: StudyCalendar;
  /** Days a day's totals are kept; older days cannot be written. */
  studyRetentionDays: number;
  /** A day is closed this long after it ends. @default 0 */
  closeDelayMs?: number;
  reliability: Reliability;
  /** Shortest time between two guildPresenceChanged events of a guild. @default 1000 */
  guildCountsIntervalMs?: number;
}
