import { badInput } from '../errors.js';
import type { PresenceEvent, VoiceStateChange } from './types.js';

/**
 * Resumable guild streams (docs/semantics.md, "Resume"): every event a
 * guild's presence or voice channel carries is also appended to that guild's
 * log, a capped Redis stream, and its stream id is the event's `position`.
 */
export interface ResumeOptions {
  /** Events kept per guild and stream; 0 keeps none (no position, every resume is a RESYNC). */
  events: number;
  /** A log nobody appended to for this long is dropped. */
  idleMs: number;
}

export const NO_RESUME: ResumeOptions = { events: 0, idleMs: 0 };

/** The Lua the scripts append with (after the payload library): `logged(key, json)` returns the JSON with its position. */
export function luaResume({ events, idleMs }: ResumeOptions): string {
  return [
    '-- Generated from src/state/resume.ts: guild event logs (RESUME_WINDOW_EVENTS, RESUME_WINDOW_SECONDS).',
    `local LOG_MAX, LOG_IDLE_MS = ${events}, ${idleMs}`,
    "-- Appends a payload (its JSON ends in '\"position\":null}') to a guild's log; returns it with its position.",
    'local function logged(key, json)',
    '  if LOG_MAX == 0 then return json end',
    "  local id = redis.call('XADD', key, 'MAXLEN', '~', LOG_MAX, '*', 'e', json)",
    "  redis.call('PEXPIRE', key, LOG_IDLE_MS)",
    "  return string.sub(json, 1, -6) .. '\"' .. id .. '\"}'",
    'end',
  ].join('\n');
}

const POSITION = /^(\d{1,20})-(\d{1,20})$/;

/** A position from a client: a stream id, 'ms-seq'. */
export function assertPosition(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !POSITION.test(value)) throw badInput(`${field} must be a position from an earlier event ('ms-seq')`);
  return value;
}

const parts = (p: string) => p.split('-').map(BigInt) as [bigint, bigint];

/** Orders positions as Redis orders stream ids. */
export function comparePositions(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** What a guild log read answers: the events after a position, or a gap. */
export interface LogRead<T> {
  /** Events were dropped after the position (or the log is gone): the subscriber must take a snapshot. */
  gap: boolean;
  events: T[];
  /** The log's last position, or null when it holds nothing. */
  tail: string | null;
}

/** The event a resuming subscriber gets instead of what it missed, when that is no longer kept. */
export type Resync<T> = T & { resync: true };

export const presenceResync = (guildId: string, at: number, position: string | null): Resync<PresenceEvent> => ({
  userId: '',
  state: 'OFFLINE',
  previousState: 'OFFLINE',
  status: 'OFFLINE',
  previousStatus: 'OFFLINE',
  platforms: [],
  customStatus: null,
  sessionCount: 0,
  guildIds: [guildId],
  at,
  version: 0,
  snapshot: false,
  position,
  resync: true,
});

export const voiceResync = (guildId: string, at: number, position: string | null): Resync<VoiceStateChange> => ({
  changed: false,
  type: null,
  guildId,
  channelId: null,
  previousChannelId: null,
  userId: '',
  at,
  version: null,
  snapshot: false,
  position,
  resync: true,
});
