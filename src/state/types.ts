/** Domain values exchanged between the schema, the state service and its engines. Times are epoch ms. */

export type ConnectionState = 'ONLINE' | 'OFFLINE';
export type VoiceChange = 'JOINED' | 'LEFT' | 'MOVED';
export type RoomEventType = 'ALERT' | 'KICK_OUT' | 'KICK_OUT_BY_ALERT' | 'DELEGATE' | 'ROOM_OUT';
/** What a user shows (src/state/status.ts); INVISIBLE only ever to services. */
export type UserStatus = 'ONLINE' | 'IDLE' | 'DND' | 'INVISIBLE' | 'OFFLINE';
/** What a user may choose; IDLE comes from their sessions' activity. */
export type ChosenStatus = 'ONLINE' | 'DND' | 'INVISIBLE';
export type Activity = 'ACTIVE' | 'IDLE';
export type Platform = 'DESKTOP' | 'MOBILE' | 'WEB';

export interface CustomStatus {
  text: string | null;
  emoji: string | null;
  /** When it clears itself (epoch ms); null: never. */
  expiresAt: number | null;
}

export interface Session {
  sessionId: string;
  userId: string;
  guildIds: string[];
  roomId: string | null;
  nodeId: string | null;
  connectedAt: number;
  activity: Activity;
  platform: Platform | null;
}

export interface UserConnection {
  userId: string;
  state: ConnectionState;
  sessionCount: number;
  roomId: string | null;
  lastSeenAt: number | null;
  status: UserStatus;
  /** Platforms of the live sessions, in enum order. */
  platforms: Platform[];
  customStatus: CustomStatus | null;
  /** What users see as lastSeenAt while this user is invisible (not a schema field). */
  hiddenLastSeenAt?: number | null;
}

/** Users' connections, and the guilds of their sessions (the last ones while offline), for visibility checks. */
export interface ConnectionStates {
  connections: UserConnection[];
  /** The guilds of `connections[i]`; only user tokens need them, so they are read on demand. */
  guildIdsOf(i: number): string[];
}

export interface SessionResult {
  changed: boolean;
  session: Session | null;
  connection: UserConnection | null;
}

/** Why one item of a batch was refused (a client error); the other items still apply. */
export interface ItemError {
  code: string;
  message: string;
}

/** One item's outcome in a batch (connectSessions, disconnectSessions): its result or its error. */
export type SessionItem = { result: SessionResult; error: null } | { result: null; error: ItemError };

/** A guild's counts, without its member lists. */
export interface GuildPresence {
  guildId: string;
  /** Members with a live session (the guild's online view). */
  onlineCount: number;
  /** Members in one of its voice channels. */
  voiceCount: number;
}

export interface VoiceChannel {
  guildId: string;
  channelId: string;
  userIds: string[];
}

export interface VoiceStateChange {
  changed: boolean;
  type: VoiceChange | null;
  guildId: string;
  channelId: string | null;
  previousChannelId: string | null;
  userId: string;
  at: number;
  /** The guild's voice version after this change; null when nothing changed. */
  version: number | null;
  /** Part of the state sent first to an `includeSnapshot` subscriber. */
  snapshot: boolean;
  /** Where this event is in its guild's voice log (resume.ts). */
  position: string | null;
}

export interface PresenceEvent {
  userId: string;
  state: ConnectionState;
  previousState: ConnectionState;
  status: UserStatus;
  previousStatus: UserStatus;
  platforms: Platform[];
  customStatus: CustomStatus | null;
  sessionCount: number;
  /** The guilds whose view of this user changed with this event. */
  guildIds: string[];
  at: number;
  /** The user's presence version: every presence event of the user raises it. */
  version: number;
  /** Part of the state sent first to an `includeSnapshot` subscriber. */
  snapshot: boolean;
  /** Where this event is in its guild's log (resume.ts); null on a user's own stream. */
  position: string | null;
}

export interface RoomEvent {
  type: RoomEventType;
  roomId: string;
  userId: string;
  targetUserId: string | null;
  alertCount: number | null;
  message: string | null;
  at: number;
}

export interface ConnectSessionInput {
  sessionId: string;
  userId: string;
  guildIds: string[];
  roomId: string | null;
  nodeId: string | null;
  /** ACTIVE when absent. */
  activity?: Activity;
  /** Unknown when absent: the session adds no platform. */
  platform?: Platform | null;
}

export interface SetUserStatusInput {
  userId: string;
  status: ChosenStatus;
  /** undefined keeps the current one, null clears it. */
  customStatus: CustomStatus | null | undefined;
}

export interface VoiceChannelInput {
  guildId: string;
  channelId: string;
  userId: string;
  /** When the signaling server saw the change (epoch ms); older events than the last applied are ignored. */
  at: number | null;
}

export interface NodeLease {
  nodeId: string;
  /** The server did not know the node (new, expired, or state lost): send its sessions with syncNodeSessions. */
  resync: boolean;
  expiresAt: number;
}

export interface NodeSyncResult {
  nodeId: string;
  opened: number;
  closed: number;
  unchanged: number;
  /** Sessions refused: held by another user, or already closed (tombstone). */
  refused: string[];
}

/** One user's presence at a version, for snapshots. */
export interface PresenceSnapshotEntry {
  userId: string;
  sessionCount: number;
  /** Online: a live session, or an OFFLINE still held back by the grace period. */
  online: boolean;
  guildIds: string[];
  version: number;
  status: UserStatus;
  platforms: Platform[];
  customStatus: CustomStatus | null;
}

/** A user's study time on one study day; `seconds` includes a running timer's time. */
export interface StudyTime {
  userId: string;
  day: string;
  seconds: number;
  running: boolean;
}

/** What `studyTimeChanged` carries: the user's total on a day at the moment it changed. */
export type StudyTimeEvent = StudyTime;

export interface StudyReportPage {
  day: string;
  entries: StudyTime[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface StudyDayClosed {
  day: string;
  users: number;
  totalSeconds: number;
}

export interface SaveStudyTimeInput {
  userId: string;
  seconds: number;
  roomId: string | null;
  leftRoom: boolean;
  day: string;
}

export interface StudyTimeEntry {
  userId: string;
  seconds: number;
}

export interface RoomEventInput {
  type: Exclude<RoomEventType, 'ROOM_OUT'>;
  roomId: string;
  userId: string;
  targetUserId: string | null;
  alertCount: number | null;
  message: string | null;
}

/** A guild's online member as its view shows them. */
export interface OnlineMember {
  userId: string;
  status: UserStatus;
  platforms: Platform[];
  customStatus: CustomStatus | null;
}

export interface OnlineMembersPage {
  guildId: string;
  entries: OnlineMember[];
  /** Where the next page starts (opaque); null when nothing was read. */
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Why a user is shown as they are (presenceExplain, services only): everything that keeps them online. */
export interface PresenceExplanation {
  userId: string;
  /** The truth, as connectionStates answers a service. */
  connection: UserConnection;
  sessions: Array<Session & { leaseExpiresAt: number | null }>;
  /** A held-back OFFLINE: when the last session closed, and when the OFFLINE falls due. */
  pendingSince: number | null;
  pendingDueAt: number | null;
  /** The user's last closed session; its id stays refused while its tombstone lives. */
  lastClosed: { sessionId: string; closedAt: number; tombstoned: boolean } | null;
  chosenStatus: ChosenStatus;
  customStatus: CustomStatus | null;
  voice: { guildId: string; channelId: string } | null;
  studyTimerStartedAt: number | null;
}
