import type { StudyCalendar } from '../study/calendar.js';
import type {
  ConnectSessionInput,
  SaveStudyTimeInput,
  StudyDayClosed,
  StudyTime,
  StudyTimeEntry,
  Session,
  SessionResult,
  UserPresence,
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
  disconnectSession(sessionId: string, now: number): Promise<SessionResult>;
  getSession(sessionId: string): Promise<Session | null>;
  /** One entry per id, in order; one round trip however many ids. */
  connectionStates(userIds: readonly string[]): Promise<UserPresence[]>;
  joinVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  leaveVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  channelStates(guildId: string): Promise<VoiceChannel[]>;

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
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Seconds an offline user's record is kept. */
  presenceRetentionSeconds: number;
  /** Days each day's study totals stay readable after the day. */
  studyRetentionDays: number;
  calendar: StudyCalendar;
}
