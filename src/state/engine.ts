import type { ReplicaAcks } from './redis/replica-acks.js';
import type { StudyCalendar } from './calendar.js';
import type { LogRead, ResumeOptions } from './resume.js';
import type {
  ConnectSessionInput,
  GuildPresence,
  NodeLease,
  NodeSyncResult,
  PresenceSnapshotEntry,
  PresenceEvent,
  RoomEvent,
  SaveStudyTimeInput,
  Session,
  SessionItem,
  SessionResult,
  SetUserStatusInput,
  PresenceExplanation,
  OnlineMember,
  Activity,
  UserConnection,
  StudyDayClosed,
  StudyTime,
  StudyTimeEntry,
  ConnectionStates,
  VoiceChannel,
  VoiceChannelInput,
  VoiceStateChange,
} from './types.js';

/**
 * What an engine must do; the state service validates input and reads the
 * clock before calling it. Each mutating method is one atomic step that also
 * publishes the events it causes.
 */
export interface StateEngine {
  connectSession(input: ConnectSessionInput, now: number): Promise<SessionResult>;
  /** Also leaves a tombstone, known session or not, so a late CONNECT is ignored. */
  disconnectSession(sessionId: string, now: number): Promise<SessionResult>;
  /**
   * connectSession for each input, in order, far cheaper per item: each item
   * is atomic and publishes what its single call would; an item refused with
   * a client error (another user's session) gets it as its outcome.
   */
  connectSessions(inputs: readonly ConnectSessionInput[], now: number): Promise<SessionItem[]>;
  /** disconnectSession for each id, in order, as connectSessions. */
  disconnectSessions(sessionIds: readonly string[], now: number): Promise<SessionItem[]>;
  getSession(sessionId: string): Promise<Session | null>;
  /** Sets the chosen status and (unless undefined) the custom status; publishes what viewers see change. */
  setUserStatus(input: SetUserStatusInput, now: number): Promise<UserConnection>;
  /** Sets a session's activity; an unknown session changes nothing (changed: false, session null). */
  setSessionActivity(sessionId: string, activity: Activity, now: number): Promise<SessionResult>;
  /** Everything that keeps a user shown as they are, read for a service debugging a ghost. */
  presenceExplain(userId: string): Promise<PresenceExplanation>;
  /** One entry per id, in order; one round trip however many ids. */
  connectionStates(userIds: readonly string[]): Promise<ConnectionStates>;
  joinVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  leaveVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  channelStates(guildId: string): Promise<VoiceChannel[]>;
  /**
   * Up to `first` of the guild's online view after `after` (a user id), in
   * byte order; `lastRead` is the last id read, a member of the view or not
   * by the time its status was read.
   */
  onlineMembers(guildId: string, first: number, after: string | null): Promise<{ entries: OnlineMember[]; lastRead: string | null; hasNextPage: boolean }>;
  /** How many of the guild's members are online and in voice: O(1), no member list read. */
  guildPresence(guildId: string): Promise<GuildPresence>;

  /** Known gateway nodes and their lease expiry (epoch ms), soonest first, at most `limit`. */
  nodeLeases(limit: number): Promise<Array<{ nodeId: string; expiresAt: number }>>;
  /** Renews a gateway node's lease. */
  heartbeat(nodeId: string, leaseMs: number, now: number): Promise<NodeLease>;
  /** Replaces the node's sessions with these (their nodeId is the node's), renewing its lease. */
  syncNodeSessions(nodeId: string, sessions: ConnectSessionInput[], leaseMs: number, now: number): Promise<NodeSyncResult>;
  /**
   * Closes sessions of lapsed nodes and node-less sessions older than
   * `sessionMaxAgeMs`, sends OFFLINE events held back by the grace period
   * once due, and clears custom statuses past their expiry. Each close is atomic and publishes the usual events.
   */
  reap(now: number, sessionMaxAgeMs: number): Promise<{ closed: number; offline: number }>;
  /** Presence of users (or of those online in a guild) with their versions. */
  presenceSnapshot(target: { guildId: string } | { userIds: string[] }): Promise<PresenceSnapshotEntry[]>;
  /** The guild's presence (or voice) events after a position, from its log; a gap when some are no longer kept. */
  presenceLog(guildId: string, after: string): Promise<LogRead<PresenceEvent>>;
  voiceLog(guildId: string, after: string): Promise<LogRead<VoiceStateChange>>;
  /** A guild's voice members and its voice version, read in one step. */
  voiceSnapshot(guildId: string): Promise<{ version: number; members: Array<[string, string]> }>;
  /** Takes a lock held until `ttlMs` passes or it is released; null when another holder has it. */
  tryLock(name: string, ttlMs: number): Promise<string | null>;
  unlock(name: string, token: string): Promise<void>;

  /** Starts the user's timer; a running timer is left as it is (changed: false). */
  startStudyTimer(userId: string, roomId: string | null, now: number): Promise<{ changed: boolean; time: StudyTime }>;
  /** Stops the timer, crediting its time to each study day it ran in. */
  stopStudyTimer(userId: string, now: number): Promise<{ changed: boolean; time: StudyTime }>;
  /** Raises the day's total to `seconds` (never lowers it); may announce ROOM_OUT. */
  saveStudyTime(input: SaveStudyTimeInput, now: number): Promise<StudyTime>;
  /** saveStudyTime for many users in one step; resolves with how many totals rose. */
  syncStudyTimes(entries: readonly StudyTimeEntry[], day: string, now: number): Promise<number>;
  studyTime(userId: string, day: string, now: number): Promise<StudyTime>;
  /** Recorded totals of a day, ordered by user id (byte order), after the cursor. */
  studyReport(day: string, first: number, after: string | null): Promise<{ entries: StudyTime[]; hasNextPage: boolean }>;
  /**
   * Closes an ended day exactly once across instances: running timers are
   * credited up to its end, then studyDayClosed is published. Null when it
   * was already closed.
   */
  closeDay(day: string, now: number): Promise<StudyDayClosed | null>;
  /**
   * Publishes a room control event. With an `eventId`, a retry of the same
   * event (same room and id, within TOMBSTONE_SECONDS) publishes nothing and
   * answers the event as first published.
   */
  relayRoomEvent(event: RoomEvent, eventId: string | null): Promise<RoomEvent>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Seconds an offline user's record is kept. */
  presenceRetentionSeconds: number;
  /** Days each day's study totals stay readable after the day. */
  studyRetentionDays: number;
  /** Seconds a closed session's id stays refused. */
  tombstoneSeconds: number;
  /** How long an OFFLINE transition is held back; 0 sends it at once. */
  graceMs: number;
  /** A node's lease until its first heartbeat: it starts with its first session. */
  defaultLeaseMs: number;
  calendar: StudyCalendar;
  /** Guild event logs for resuming subscribers (resume.ts); none by default. */
  resume?: ResumeOptions;
  /** Redis engines: answer a write once this many replicas hold it (replica-acks.ts); none by default. */
  replicaAcks?: ReplicaAcks | null;
}
