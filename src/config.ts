import { DateTime } from 'luxon';

/** Everything the server reads from its environment, validated once. */
export interface Config {
  /** HTTP port for GraphQL, WebSocket, SSE and health. @default 4000 */
  readonly port: number;
  /** Interface to listen on. @default '0.0.0.0' */
  readonly host: string;
  /** Redis connection URL; unset selects the in-memory engine. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key and pub/sub channel. @default 'ss:' */
  readonly keyPrefix: string;
  /** How long an offline user's record (lastSeenAt) is kept. @default 604800 (7 days) */
  readonly presenceRetentionSeconds: number;
  /** Local time a study day starts, `HH:MM`. @default '05:00' */
  readonly studyDayStart: string;
  /** IANA zone of the study day. @default 'Asia/Seoul' */
  readonly studyTimezone: string;
  /** How many days each day's study totals stay readable. @default 35 */
  readonly studyRetentionDays: number;
  /** How long after its end a study day is closed (studyDayClosed); a final sync closes it sooner. @default 0 */
  readonly studyCloseDelaySeconds: number;
  /** Events buffered per subscription before a slow consumer is cut off. @default 1000 */
  readonly subscriptionBufferSize: number;
  /** Fail a Redis command that takes longer than this. @default 1000 */
  readonly redisCommandTimeoutMs: number;
  readonly production: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function dayStart(env: Env): string {
  const raw = env.STUDY_DAY_START ?? '05:00';
  const match = /^(\d{2}):(\d{2})$/.exec(raw);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    throw new ConfigError(`STUDY_DAY_START must be HH:MM (00:00-23:59), got "${raw}"`);
  }
  return raw;
}

function timezone(env: Env): string {
  const raw = env.STUDY_TIMEZONE ?? 'Asia/Seoul';
  if (!DateTime.now().setZone(raw).isValid) {
    throw new ConfigError(`STUDY_TIMEZONE must be an IANA time zone such as Asia/Seoul, got "${raw}"`);
  }
  return raw;
}

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got an unparsable value`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must use redis:// or rediss://, got "${url.protocol}"`);
  }
  return raw;
}

/** Reads and validates the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const keyPrefix = env.KEY_PREFIX ?? 'ss:';
  if (!/^[\x21-\x7e]{0,64}$/.test(keyPrefix)) {
    throw new ConfigError('KEY_PREFIX must be at most 64 printable ASCII characters without spaces');
  }
  return Object.freeze({
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    redisUrl: redisUrl(env),
    keyPrefix,
    presenceRetentionSeconds: integer(env, 'PRESENCE_RETENTION_SECONDS', 7 * 24 * 3600, 1, 10 * 365 * 86400),
    studyDayStart: dayStart(env),
    studyTimezone: timezone(env),
    studyRetentionDays: integer(env, 'STUDY_RETENTION_DAYS', 35, 1, 3650),
    studyCloseDelaySeconds: integer(env, 'STUDY_CLOSE_DELAY_SECONDS', 0, 0, 86_400),
    subscriptionBufferSize: integer(env, 'SUBSCRIPTION_BUFFER_SIZE', 1000, 1, 1_000_000),
    redisCommandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 1000, 10, 60_000),
    production: env.NODE_ENV === 'production',
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error', 'silent'] as const),
  });
}
