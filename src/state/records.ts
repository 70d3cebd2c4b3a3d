import { MAX_DAY_SECONDS, type StudyCalendar } from './calendar.js';
import type { StudyTime, ConnectSessionInput, Session, UserConnection, VoiceChannel, VoiceChange, VoiceStateChange } from './types.js';
import { activityOf, platformOf, presenceView, sessionFlags, type PresenceFields } from './status.js';

/** How a session is stored: short names, absent fields omitted (never null). */
export interface SessionRecord {
  g?: string[];
  r?: string;
  n?: string;
  /** connected at, epoch ms */
  t: number;
  /** per-user sequence of connects and updates; the newest room wins */
  q: number;
  /** activity and platform flags (status.ts); absent for an active session of no known platform */
  f?: string;
}

export type SessionContent = Pick<SessionRecord, 'g' | 'r' | 'n' | 'f'>;

export function sessionContent(input: ConnectSessionInput): SessionContent {
  const content: SessionContent = {};
  const flags = sessionFlags(input.activity, input.platform);
  if (flags !== '') content.f = flags;
  if (input.guildIds.length > 0) content.g = input.guildIds;
  if (input.roomId !== null) content.r = input.roomId;
  if (input.nodeId !== null) content.n = input.nodeId;
  return content;
}

export const sameContent = (a: SessionContent, b: SessionContent) =>
  (a.g ?? []).join('\n') === (b.g ?? []).join('\n') && a.r === b.r && a.n === b.n && (a.f ?? '') === (b.f ?? '');

export const toSession = (sessionId: string, userId: string, rec: SessionRecord): Session => ({
  sessionId,
  userId,
  guildIds: rec.g ?? [],
  roomId: rec.r ?? null,
  nodeId: rec.n ?? null,
  connectedAt: rec.t,
  activity: activityOf(rec.f),
  platform: platformOf(rec.f),
});

/** A user's stored presence, as connection reads decode it from either engine. */
export interface StoredConnection extends PresenceFields {
  roomId: string | null;
  lastSeenAt: number | null;
  /** What users see as lastSeenAt while the user is invisible. */
  hiddenLastSeenAt: number | null;
}

/** A user is ONLINE with a live session, or while their OFFLINE is held back (`pending`); status as status.ts merges it. */
export function connectionOf(userId: string, c: StoredConnection): UserConnection {
  const view = presenceView(c);
  return {
    userId,
    state: view.online ? 'ONLINE' : 'OFFLINE',
    sessionCount: c.sessionCount,
    roomId: c.sessionCount > 0 ? c.roomId : null,
    lastSeenAt: c.lastSeenAt,
    status: view.status,
    platforms: view.platforms,
    customStatus: view.customStatus,
    ...(c.chosen === 'INVISIBLE' ? { hiddenLastSeenAt: c.hiddenLastSeenAt } : {}),
  };
}

/** A user nothing is known of, or hidden from the caller: OFFLINE. */
export const offlineConnection = (userId: string): UserConnection => ({
  userId,
  state: 'OFFLINE',
  sessionCount: 0,
  roomId: null,
  lastSeenAt: null,
  status: 'OFFLINE',
  platforms: [],
  customStatus: null,
});

/** Groups userId → channelId pairs into channels, sorted by id for stable output. */
export function groupChannels(guildId: string, members: Iterable<[string, string]>): VoiceChannel[] {
  const byChannel = new Map<string, string[]>();
  for (const [userId, channelId] of members) {
    const list = byChannel.get(channelId);
    if (list) list.push(userId);
    else byChannel.set(channelId, [userId]);
  }
  return [...byChannel.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([channelId, userIds]) => ({ guildId, channelId, userIds: userIds.sort() }));
}

export function voiceChange(
  input: { guildId: string; channelId: string; userId: string },
  at: number,
  type: VoiceChange | null,
  previousChannelId: string | null = null,
  version: number | null = null,
): VoiceStateChange {
  return {
    changed: type !== null,
    type,
    guildId: input.guildId,
    channelId: input.channelId,
    previousChannelId,
    userId: input.userId,
    at,
    version: type === null ? null : version,
    snapshot: false,
    position: null,
  };
}

/** Redis orders members by their UTF-8 bytes; the memory engine sorts the same way. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A day's total as queries report it: the recorded seconds plus a running timer's time on that day. */
export function liveStudyTime(
  calendar: StudyCalendar,
  userId: string,
  day: string,
  recorded: number,
  timerStart: number | null,
  now: number,
): StudyTime {
  const running = timerStart === null ? 0 : (calendar.split(timerStart, now).find(([d]) => d === day)?.[1] ?? 0);
  return { userId, day, seconds: Math.min(MAX_DAY_SECONDS, recorded + running), running: timerStart !== null };
}
