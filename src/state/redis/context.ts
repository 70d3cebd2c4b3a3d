import type { Redis } from 'ioredis';
import { StateError, stateUnavailable } from '../../errors.js';
import type { EngineOptions } from '../engine.js';
import { createCalendarArgs } from './calendar-args.js';
import { createKeys } from './keys.js';

// Replies Redis gives while it cannot serve; anything else from Redis is a bug.
const transientReply = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN|NOSCRIPT)/;
// What ioredis says when it did not send the command: no connection and no offline queue.
const notSent = /enableOfflineQueue options is false/;

/**
 * Whether a failed call may still have changed state: a refusal by Redis or
 * a command never written did not; a timeout or a connection lost while
 * waiting for the reply may have.
 */
const mayHaveApplied = (error: unknown) =>
  !(error instanceof Error && (error.name === 'ReplyError' || notSent.test(error.message)));

/** Maps a failed Redis call to STATE_UNAVAILABLE unless it is our own error or a script bug. */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StateError) throw error;
    const isReply = error instanceof Error && error.name === 'ReplyError';
    if (isReply && !transientReply.test(error.message)) throw error;
    throw stateUnavailable(mayHaveApplied(error));
  }
}

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const lines = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? v.split('\n') : []);

export interface RedisEngineOptions extends EngineOptions {
  /** Command client; it should fail fast (no offline queue). */
  client: Redis;
  keyPrefix: string;
}

/** What every part of the Redis engine shares: the client, keys and the script arguments they all build. */
export function createRedisContext(options: RedisEngineOptions) {
  const { client, keyPrefix, presenceRetentionSeconds, studyRetentionDays, tombstoneSeconds, graceMs, defaultLeaseMs, calendar } = options;
  const keys = createKeys(keyPrefix);
  const retention = presenceRetentionSeconds;
  // A day's keys are refreshed on every write to it; writes happen from its
  // start on, and a day is at most 25 hours long, so two spare days keep it
  // readable for the full retention after it ends.
  const studyRetention = (studyRetentionDays + 2) * 86_400;

  const { calendarArg, withCalendar, DAY_MS } = createCalendarArgs(calendar);

  /** The ctx ARGV block of lua/lib/ctx.lua's read_ctx. */
  const ctxArgs = (now: number, cal: string) => [now, retention, cal, studyRetention, tombstoneSeconds, graceMs, defaultLeaseMs];

  /** A calendar reaching back to the oldest running timer, for scripts that may stop many. */
  async function calendarForAllTimers(now: number) {
    const oldest = await client.zrange(keys.studyTimers(), 0, 0, 'WITHSCORES');
    return calendarArg(now, oldest[1] === undefined ? now - DAY_MS : Math.min(Number(oldest[1]), now - DAY_MS));
  }

  // A resume reads at most what a log keeps.
  const logMax = Math.max(1, options.resume?.events ?? 0);

  return { client, keyPrefix, keys, logMax, calendar, retention, studyRetention, tombstoneSeconds, calendarArg, ctxArgs, calendarForAllTimers, withCalendar };
}

export type RedisContext = ReturnType<typeof createRedisContext>;
