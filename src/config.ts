import { DateTime } from 'luxon';
import { z } from 'zod';
import type { ResumeOptions } from './state/resume.js';

/** Everything the server reads from its environment, validated once. */
export interface Config {
  /** HTTP port for GraphQL, WebSocket, SSE and health. @default 4000 */
  readonly port: number;
  /** Interface to listen on. @default '0.0.0.0' with auth on; '127.0.0.1' with auth off (an open server is reachable only from this machine unless HOST says otherwise) */
  readonly host: string;
  /** Where Redis is: one server (REDIS_URL), a Sentinel-watched master, or a Cluster; undefined selects the in-memory engine. */
  readonly redis: RedisTarget | undefined;
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
  /**
   * A subscriber whose events wait longer than this, behind a socket its
   * client does not read or in an instance too busy to deliver them, is
   * ended with RATE_LIMITED. @default 5000
   */
  readonly subscriptionMaxLagMs: number;
  /** Unsent bytes a WebSocket or SSE response may hold before its subscriptions are ended with RATE_LIMITED. @default 1048576 */
  readonly subscriptionMaxBufferedBytes: number;
  /** Shortest time between two guildPresenceChanged events of one guild. @default 1000 */
  readonly guildCountsIntervalMs: number;
  /**
   * What a guild's presence and voice logs keep for subscribers resuming
   * with `after` / Last-Event-ID: `events` per guild and stream (0 keeps
   * none), dropped after `idleMs` without a new event. @default { events: 1000, idleMs: 600000 }
   */
  readonly resume: ResumeOptions;
  /** Fail a Redis command that takes longer than this. @default 1000 */
  readonly redisCommandTimeoutMs: number;
  /** Answer a write only once this many replicas of its master hold it (WAIT); 0 answers once the master applied it. @default 0 */
  readonly redisWaitReplicas: number;
  /** How long a write waits for those replicas before it answers STATE_UNAVAILABLE (mayHaveBeenApplied). @default 250 */
  readonly redisWaitTimeoutMs: number;
  readonly production: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly auth: AuthConfig;
  readonly limits: Limits;
  readonly reliability: Reliability;
}

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * The three deployment modes. Sentinel and Cluster take `host:port` lists;
 * entries written `rediss://host:port` turn TLS on (all entries alike), and
 * `REDIS_PASSWORD` authenticates in every mode (in single mode when the URL
 * holds none).
 */
export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string; readonly password: string | undefined }
  | {
      readonly mode: 'sentinel';
      readonly sentinels: readonly RedisEndpoint[];
      /** The sentinels' own password (their `requirepass`), when they have one. */
      readonly sentinelPassword: string | undefined;
      readonly name: string;
      readonly password: string | undefined;
      readonly tls: boolean;
    }
  | { readonly mode: 'cluster'; readonly nodes: readonly RedisEndpoint[]; readonly password: string | undefined; readonly tls: boolean };

export interface Reliability {
  /** Lease of a gateway node when heartbeat names no ttl. @default 30 */
  readonly nodeLeaseSeconds: number;
  /** Sessions without a node close after this long. @default 86400 */
  readonly sessionMaxAgeSeconds: number;
  /** A closed session id stays refused this long (late CONNECTs are ignored). @default 600 */
  readonly tombstoneSeconds: number;
  /** An OFFLINE transition is held back this long and dropped if the user reconnects. @default 0 */
  readonly presenceGraceMs: number;
}

export interface AuthConfig {
  /** `SERVICE_TOKENS`: service name → token. */
  readonly serviceTokens: ReadonlyMap<string, string>;
  /** `JWT_SECRET`: HS256 key for user tokens. */
  readonly jwtSecret: string | undefined;
  /** `JWT_PUBLIC_KEY`: PEM (RS256 or ES256) for user tokens. */
  readonly jwtPublicKey: string | undefined;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  /** Whether any auth setting is present; without one the server runs open (never in production). */
  readonly enabled: boolean;
}

export interface Limits {
  /** Deepest selection set. @default 10 */
  readonly maxDepth: number;
  /** Most aliases in one document. @default 15 */
  readonly maxAliases: number;
  /** Highest graphql-armor cost of one document. @default 5000 */
  readonly maxCost: number;
  /** Most tokens in one document. @default 2000 */
  readonly maxTokens: number;
  /** Largest HTTP request body, in bytes (413 beyond). @default 1048576 */
  readonly maxBodyBytes: number;
  /** Largest WebSocket message, in bytes (the socket closes with 1009 beyond). @default 1048576 */
  readonly wsMaxPayloadBytes: number;
  /** Most operations in flight on one WebSocket. @default 100 */
  readonly maxSubscriptionsPerSocket: number;
  /** Operations per minute for each user token; 0 turns the limit off. @default 600 */
  readonly userRequestsPerMinute: number;
  /** Operations per minute for each service; 0 turns the limit off. @default 0 */
  readonly serviceRequestsPerMinute: number;
  /** Deepest nesting of request JSON (bodies, GET parameters, WebSocket messages). @default 64 */
  readonly maxJsonDepth: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

// One zod schema per scalar setting: each turns the raw string (or its
// absence) into the typed value, or adds an issue that names the variable.
type Issue = { addIssue(issue: { code: 'custom'; message: string }): void };
const fail = (ctx: Issue, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

const int = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      if (!/^\d+$/.test(raw.trim())) return fail(ctx, `${name} must be an integer, got "${raw}"`);
      const value = Number(raw);
      if (value < min || value > max) return fail(ctx, `${name} must be between ${min} and ${max}, got ${value}`);
      return value;
    });

const oneOf = <const T extends readonly [string, ...string[]]>(name: string, fallback: T[number], allowed: T) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (raw === undefined || raw === '') return fallback;
      if (!allowed.includes(raw)) return fail(ctx, `${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
      return raw as T[number];
    });

const text = (check: (raw: string) => boolean, fallback: string, message: (raw: string) => string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw ?? fallback;
      return check(value) ? value : fail(ctx, message(value));
    });

/** A variable read as it is; the checks that span several of them come after the schema. */
const raw = z.string().optional();

/** Every variable the server reads, with the schema of each. */
const envSchema = z.object({
  PORT: int('PORT', 4000, 0, 65535),
  HOST: raw,
  REDIS_URL: raw,
  REDIS_SENTINELS: raw,
  REDIS_SENTINEL_NAME: raw,
  REDIS_SENTINEL_PASSWORD: raw,
  REDIS_CLUSTER_NODES: raw,
  REDIS_PASSWORD: raw,
  KEY_PREFIX: text((v) => /^[\x21-\x7e]{0,64}$/.test(v), 'ss:', () => 'KEY_PREFIX must be at most 64 printable ASCII characters without spaces'),
  PRESENCE_RETENTION_SECONDS: int('PRESENCE_RETENTION_SECONDS', 7 * 24 * 3600, 1, 10 * 365 * 86400),
  STUDY_DAY_START: text(
    (v) => {
      const match = /^(\d{2}):(\d{2})$/.exec(v);
      return Boolean(match && Number(match[1]) <= 23 && Number(match[2]) <= 59);
    },
    '05:00',
    (v) => `STUDY_DAY_START must be HH:MM (00:00-23:59), got "${v}"`,
  ),
  STUDY_TIMEZONE: text((v) => DateTime.now().setZone(v).isValid, 'Asia/Seoul', (v) => `STUDY_TIMEZONE must be an IANA time zone such as Asia/Seoul, got "${v}"`),
  STUDY_RETENTION_DAYS: int('STUDY_RETENTION_DAYS', 35, 1, 3650),
  STUDY_CLOSE_DELAY_SECONDS: int('STUDY_CLOSE_DELAY_SECONDS', 0, 0, 86_400),
  SUBSCRIPTION_BUFFER_SIZE: int('SUBSCRIPTION_BUFFER_SIZE', 1000, 1, 1_000_000),
  SUBSCRIPTION_MAX_LAG_MS: int('SUBSCRIPTION_MAX_LAG_MS', 5_000, 100, 600_000),
  SUBSCRIPTION_MAX_BUFFERED_BYTES: int('SUBSCRIPTION_MAX_BUFFERED_BYTES', 1_048_576, 131_072, 1_073_741_824),
  GUILD_COUNTS_INTERVAL_MS: int('GUILD_COUNTS_INTERVAL_MS', 1_000, 50, 600_000),
  RESUME_WINDOW_EVENTS: int('RESUME_WINDOW_EVENTS', 1_000, 0, 100_000),
  RESUME_WINDOW_SECONDS: int('RESUME_WINDOW_SECONDS', 600, 1, 86_400),
  REDIS_COMMAND_TIMEOUT_MS: int('REDIS_COMMAND_TIMEOUT_MS', 1000, 10, 60_000),
  REDIS_WAIT_REPLICAS: int('REDIS_WAIT_REPLICAS', 0, 0, 16),
  REDIS_WAIT_TIMEOUT_MS: int('REDIS_WAIT_TIMEOUT_MS', 250, 1, 60_000),
  NODE_ENV: raw,
  LOG_LEVEL: oneOf('LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error', 'silent']),
  SERVICE_TOKENS: raw,
  JWT_SECRET: raw,
  JWT_PUBLIC_KEY: raw,
  JWT_ISSUER: raw,
  JWT_AUDIENCE: raw,
  MAX_DEPTH: int('MAX_DEPTH', 10, 1, 100),
  MAX_ALIASES: int('MAX_ALIASES', 15, 0, 1000),
  MAX_COST: int('MAX_COST', 5000, 1, 1_000_000),
  MAX_TOKENS: int('MAX_TOKENS', 2000, 10, 1_000_000),
  MAX_BODY_BYTES: int('MAX_BODY_BYTES', 1_048_576, 1024, 100 * 1_048_576),
  WS_MAX_PAYLOAD_BYTES: int('WS_MAX_PAYLOAD_BYTES', 1_048_576, 1024, 100 * 1_048_576),
  MAX_SUBSCRIPTIONS_PER_SOCKET: int('MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
  RATE_LIMIT_USER_PER_MINUTE: int('RATE_LIMIT_USER_PER_MINUTE', 600, 0, 10_000_000),
  RATE_LIMIT_SERVICE_PER_MINUTE: int('RATE_LIMIT_SERVICE_PER_MINUTE', 0, 0, 10_000_000),
  MAX_JSON_DEPTH: int('MAX_JSON_DEPTH', 64, 8, 10_000),
  NODE_LEASE_SECONDS: int('NODE_LEASE_SECONDS', 30, 1, 3600),
  SESSION_MAX_AGE_SECONDS: int('SESSION_MAX_AGE_SECONDS', 86_400, 60, 365 * 86_400),
  TOMBSTONE_SECONDS: int('TOMBSTONE_SECONDS', 600, 1, 86_400),
  PRESENCE_GRACE_MS: int('PRESENCE_GRACE_MS', 0, 0, 600_000),
});

function redisUrl(raw: string): string {
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

/** `host:port,…`, each entry optionally `redis://` or `rediss://` (all alike); at most 16. */
function endpoints(name: string, raw: string): { list: RedisEndpoint[]; tls: boolean } {
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0 || entries.length > 16) throw new ConfigError(`${name} must list 1 to 16 host:port entries, comma-separated`);
  const schemes = new Set<string>();
  const list = entries.map((entry) => {
    const match = /^(?:(rediss?):\/\/)?(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) throw new ConfigError(`${name}: "${entry}" is not host:port (optionally redis:// or rediss://)`);
    schemes.add(match[1] ?? 'redis');
    return { host: match[2]!.replace(/^\[|\]$/g, ''), port };
  });
  if (schemes.size > 1) throw new ConfigError(`${name} mixes redis:// and rediss:// entries; TLS is on for all or none`);
  return { list, tls: schemes.has('rediss') };
}

/** REDIS_URL, REDIS_SENTINELS + REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES: one of them at most. */
function redisTarget(env: Env): RedisTarget | undefined {
  const url = env.REDIS_URL || undefined;
  const sentinels = env.REDIS_SENTINELS || undefined;
  const cluster = env.REDIS_CLUSTER_NODES || undefined;
  const password = env.REDIS_PASSWORD || undefined;
  const chosen = [url && 'REDIS_URL', sentinels && 'REDIS_SENTINELS', cluster && 'REDIS_CLUSTER_NODES'].filter(Boolean);
  if (chosen.length > 1) throw new ConfigError(`set one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, not ${chosen.join(' and ')}`);
  if (env.REDIS_SENTINEL_NAME && !sentinels) throw new ConfigError('REDIS_SENTINEL_NAME needs REDIS_SENTINELS');
  if (env.REDIS_SENTINEL_PASSWORD && !sentinels) throw new ConfigError('REDIS_SENTINEL_PASSWORD needs REDIS_SENTINELS');
  if (url) {
    const checked = redisUrl(url);
    if (password && new URL(checked).password) throw new ConfigError('REDIS_URL holds a password and REDIS_PASSWORD is set too; keep one');
    return { mode: 'single', url: checked, password };
  }
  if (sentinels) {
    const name = env.REDIS_SENTINEL_NAME;
    if (!name) throw new ConfigError('REDIS_SENTINELS needs REDIS_SENTINEL_NAME, the master name the sentinels monitor');
    if (!/^[\w.-]{1,64}$/.test(name)) throw new ConfigError('REDIS_SENTINEL_NAME must be 1 to 64 letters, digits, _ . -');
    const { list, tls } = endpoints('REDIS_SENTINELS', sentinels);
    return { mode: 'sentinel', sentinels: list, name, password, sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined, tls };
  }
  if (cluster) {
    const { list, tls } = endpoints('REDIS_CLUSTER_NODES', cluster);
    // Every key name starts with the prefix: a brace there would become the hash tag of all of them.
    if (/[{}]/.test(env.KEY_PREFIX ?? '')) throw new ConfigError('KEY_PREFIX must not hold { or } with REDIS_CLUSTER_NODES (they would pick the hash slot of every key)');
    return { mode: 'cluster', nodes: list, password, tls };
  }
  return undefined;
}

function serviceTokens(env: Env): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const pair of (env.SERVICE_TOKENS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = pair.indexOf(':');
    const name = pair.slice(0, colon);
    const token = pair.slice(colon + 1);
    if (colon < 1 || !/^[\w.-]{1,64}$/.test(name)) {
      throw new ConfigError('SERVICE_TOKENS must be comma-separated name:token pairs (name: letters, digits, _ . -)');
    }
    if (token.length < 16 || /[\s,]/.test(token)) {
      throw new ConfigError(`SERVICE_TOKENS: the token of "${name}" must be at least 16 characters without spaces or commas`);
    }
    if (tokens.has(name)) throw new ConfigError(`SERVICE_TOKENS names "${name}" twice`);
    tokens.set(name, token);
  }
  return tokens;
}

function auth(env: Env, production: boolean): AuthConfig {
  const tokens = serviceTokens(env);
  const jwtSecret = env.JWT_SECRET || undefined;
  const jwtPublicKey = env.JWT_PUBLIC_KEY || undefined;
  if (jwtSecret && jwtPublicKey) throw new ConfigError('set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  if (jwtSecret && jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  if (jwtPublicKey && !jwtPublicKey.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigError('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (production && tokens.size === 0) {
    throw new ConfigError('SERVICE_TOKENS is required when NODE_ENV=production (the server never runs open in production)');
  }
  return Object.freeze({
    serviceTokens: tokens,
    jwtSecret,
    jwtPublicKey,
    jwtIssuer: env.JWT_ISSUER || undefined,
    jwtAudience: env.JWT_AUDIENCE || undefined,
    enabled: tokens.size > 0 || Boolean(jwtSecret || jwtPublicKey),
  });
}

/** Every variable the server reads (the keys of its schema). */
export const SETTINGS = Object.keys(envSchema.shape) as ReadonlyArray<keyof typeof envSchema.shape>;

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Variables that look like a misspelt setting (REDIS_URI, STUDY_TIMEZON): one
 * warning each, naming the closest setting. A misspelt REDIS_URL would
 * otherwise start the memory engine without a word.
 */
export function settingWarnings(env: Env = process.env): string[] {
  const known = new Set<string>(SETTINGS);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name) || name.length < 6 || !/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    const [closest, far] = SETTINGS.map((s) => [s, distance(name, s)] as const).reduce((a, b) => (b[1] < a[1] ? b : a));
    if (far <= 2) warnings.push(`${name} is not a setting; did you mean ${closest}?`);
  }
  return warnings;
}

/** Reads and validates the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  // The settings that span variables, checked on the raw values so that their
  // problems are reported together with the schema's.
  const crossChecked = <T>(fallback: T, read: () => T) => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  };
  const production = env.NODE_ENV === 'production';
  const open = { serviceTokens: new Map<string, string>(), jwtSecret: undefined, jwtPublicKey: undefined, jwtIssuer: undefined, jwtAudience: undefined, enabled: false };
  const access = crossChecked<AuthConfig>(open, () => auth(env, production));
  const redis = crossChecked(undefined, () => redisTarget(env));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) problems.unshift(...parsed.error.issues.map((issue) => issue.message));
  if (parsed.success && parsed.data.REDIS_WAIT_REPLICAS > 0) {
    const { REDIS_WAIT_TIMEOUT_MS: wait, REDIS_COMMAND_TIMEOUT_MS: command } = parsed.data;
    if (!redis) problems.push('REDIS_WAIT_REPLICAS needs a Redis: set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES');
    // The WAIT is a command too: it must end (and say how many replicas answered) before the client gives up on it.
    if (wait >= command) problems.push(`REDIS_WAIT_TIMEOUT_MS (${wait}) must be below REDIS_COMMAND_TIMEOUT_MS (${command})`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems.join('; '));
  const v = parsed.data;
  return Object.freeze({
    port: v.PORT,
    host: v.HOST || (access.enabled ? '0.0.0.0' : '127.0.0.1'),
    redis,
    keyPrefix: v.KEY_PREFIX,
    presenceRetentionSeconds: v.PRESENCE_RETENTION_SECONDS,
    studyDayStart: v.STUDY_DAY_START,
    studyTimezone: v.STUDY_TIMEZONE,
    studyRetentionDays: v.STUDY_RETENTION_DAYS,
    studyCloseDelaySeconds: v.STUDY_CLOSE_DELAY_SECONDS,
    subscriptionBufferSize: v.SUBSCRIPTION_BUFFER_SIZE,
    subscriptionMaxLagMs: v.SUBSCRIPTION_MAX_LAG_MS,
    subscriptionMaxBufferedBytes: v.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    guildCountsIntervalMs: v.GUILD_COUNTS_INTERVAL_MS,
    resume: Object.freeze({ events: v.RESUME_WINDOW_EVENTS, idleMs: v.RESUME_WINDOW_SECONDS * 1000 }),
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    redisWaitReplicas: v.REDIS_WAIT_REPLICAS,
    redisWaitTimeoutMs: v.REDIS_WAIT_TIMEOUT_MS,
    production,
    logLevel: v.LOG_LEVEL,
    auth: access,
    limits: Object.freeze({
      maxDepth: v.MAX_DEPTH,
      maxAliases: v.MAX_ALIASES,
      maxCost: v.MAX_COST,
      maxTokens: v.MAX_TOKENS,
      maxBodyBytes: v.MAX_BODY_BYTES,
      wsMaxPayloadBytes: v.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptionsPerSocket: v.MAX_SUBSCRIPTIONS_PER_SOCKET,
      userRequestsPerMinute: v.RATE_LIMIT_USER_PER_MINUTE,
      serviceRequestsPerMinute: v.RATE_LIMIT_SERVICE_PER_MINUTE,
      maxJsonDepth: v.MAX_JSON_DEPTH,
    }),
    reliability: Object.freeze({
      nodeLeaseSeconds: v.NODE_LEASE_SECONDS,
      sessionMaxAgeSeconds: v.SESSION_MAX_AGE_SECONDS,
      tombstoneSeconds: v.TOMBSTONE_SECONDS,
      presenceGraceMs: v.PRESENCE_GRACE_MS,
    }),
  });
}
