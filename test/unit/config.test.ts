import { describe, expect, it } from 'vitest';
import { loadConfig, settingWarnings } from '../../src/config.js';

describe('loadConfig', () => {
  it('has documented defaults and selects the memory engine without REDIS_URL', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      redis: undefined,
      keyPrefix: 'ss:',
      presenceRetentionSeconds: 604800,
      studyDayStart: '05:00',
      studyTimezone: 'Asia/Seoul',
      studyRetentionDays: 35,
      production: false,
      subscriptionMaxLagMs: 5000,
      subscriptionMaxBufferedBytes: 1_048_576,
      limits: expect.objectContaining({ maxJsonDepth: 64 }),
    });
  });

  it('listens on 127.0.0.1 when auth is off, everywhere when it is on, and where HOST says in either case', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ SERVICE_TOKENS: 'chat:0123456789abcdef0123' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '10.1.2.3', SERVICE_TOKENS: 'chat:0123456789abcdef0123' }).host).toBe('10.1.2.3');
  });

  it('reads the delivery safety nets and the JSON depth bound, within their ranges', () => {
    const config = loadConfig({ SUBSCRIPTION_MAX_LAG_MS: '250', SUBSCRIPTION_MAX_BUFFERED_BYTES: '262144', MAX_JSON_DEPTH: '16' });
    expect(config).toMatchObject({ subscriptionMaxLagMs: 250, subscriptionMaxBufferedBytes: 262_144, limits: expect.objectContaining({ maxJsonDepth: 16 }) });
    expect(() => loadConfig({ SUBSCRIPTION_MAX_LAG_MS: '10' })).toThrow(/SUBSCRIPTION_MAX_LAG_MS must be between 100 and 600000/);
    expect(() => loadConfig({ SUBSCRIPTION_MAX_BUFFERED_BYTES: '1000' })).toThrow(/SUBSCRIPTION_MAX_BUFFERED_BYTES must be between 131072/);
    expect(() => loadConfig({ MAX_JSON_DEPTH: '2' })).toThrow(/MAX_JSON_DEPTH must be between 8 and 10000/);
  });

  it('reads the resume window, 1000 events and ten minutes by default, 0 events turning logs off', () => {
    expect(loadConfig({}).resume).toEqual({ events: 1_000, idleMs: 600_000 });
    expect(loadConfig({ RESUME_WINDOW_EVENTS: '0', RESUME_WINDOW_SECONDS: '30' }).resume).toEqual({ events: 0, idleMs: 30_000 });
    expect(() => loadConfig({ RESUME_WINDOW_EVENTS: '100001' })).toThrow(/RESUME_WINDOW_EVENTS must be between 0 and 100000/);
    expect(() => loadConfig({ RESUME_WINDOW_SECONDS: '0' })).toThrow(/RESUME_WINDOW_SECONDS must be between 1 and 86400/);
  });

  it('reads the replica acknowledgement of writes, and refuses settings that cannot work', () => {
    expect(loadConfig({})).toMatchObject({ redisWaitReplicas: 0, redisWaitTimeoutMs: 250 });
    const url = 'redis://127.0.0.1:6379';
    expect(loadConfig({ REDIS_URL: url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '100' })).toMatchObject({ redisWaitReplicas: 1, redisWaitTimeoutMs: 100 });
    expect(() => loadConfig({ REDIS_WAIT_REPLICAS: '1' })).toThrow(/REDIS_WAIT_REPLICAS needs a Redis: set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_URL: url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000' })).toThrow(
      /REDIS_WAIT_TIMEOUT_MS \(1000\) must be below REDIS_COMMAND_TIMEOUT_MS \(1000\)/,
    );
    expect(() => loadConfig({ REDIS_URL: url, REDIS_WAIT_REPLICAS: '17' })).toThrow(/REDIS_WAIT_REPLICAS must be between 0 and 16/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'redis://redis:6379/2',
      KEY_PREFIX: 'prod:',
      PRESENCE_RETENTION_SECONDS: '60',
      STUDY_DAY_START: '04:30',
      STUDY_TIMEZONE: 'Europe/Berlin',
      STUDY_RETENTION_DAYS: '7',
      NODE_ENV: 'production',
      SERVICE_TOKENS: 'chat:0123456789abcdef0123,signaling:fedcba9876543210fedc',
      MAX_DEPTH: '7',
      RATE_LIMIT_USER_PER_MINUTE: '0',
    });
    expect([...config.auth.serviceTokens.keys()]).toEqual(['chat', 'signaling']);
    expect(config.auth.enabled).toBe(true);
    expect(config.limits).toMatchObject({ maxDepth: 7, userRequestsPerMinute: 0, maxBodyBytes: 1_048_576 });
    expect(config).toMatchObject({ port: 8080, redis: { mode: 'single', url: 'redis://redis:6379/2' }, keyPrefix: 'prod:', presenceRetentionSeconds: 60, studyDayStart: '04:30', studyTimezone: 'Europe/Berlin', studyRetentionDays: 7, production: true });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL/],
    ['REDIS_URL', 'http://x', /REDIS_URL must use redis/],
    ['KEY_PREFIX', 'has space', /KEY_PREFIX/],
    ['PRESENCE_RETENTION_SECONDS', '0', /PRESENCE_RETENTION_SECONDS must be between/],
    ['STUDY_DAY_START', '5:00', /STUDY_DAY_START must be HH:MM/],
    ['STUDY_DAY_START', '24:00', /STUDY_DAY_START/],
    ['STUDY_TIMEZONE', 'Mars/Olympus', /STUDY_TIMEZONE must be an IANA time zone/],
    ['STUDY_RETENTION_DAYS', '-1', /STUDY_RETENTION_DAYS/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['SERVICE_TOKENS', 'chat', /SERVICE_TOKENS must be comma-separated name:token pairs/],
    ['SERVICE_TOKENS', 'chat:short', /token of "chat" must be at least 16/],
    ['SERVICE_TOKENS', 'a:0123456789abcdef,a:0123456789abcdeg', /names "a" twice/],
    ['JWT_SECRET', 'too-short', /JWT_SECRET must be at least 32/],
    ['JWT_PUBLIC_KEY', 'not a pem', /JWT_PUBLIC_KEY must be a PEM/],
    ['MAX_DEPTH', '0', /MAX_DEPTH must be between/],
    ['WS_MAX_PAYLOAD_BYTES', 'big', /WS_MAX_PAYLOAD_BYTES must be an integer/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', STUDY_DAY_START: '25:00', MAX_DEPTH: '0', LOG_LEVEL: 'loud' })).toThrow(
      'PORT must be an integer, got "abc"; STUDY_DAY_START must be HH:MM (00:00-23:59), got "25:00"; LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"; MAX_DEPTH must be between 1 and 100, got 0',
    );
  });

  it('names the closest setting for a variable that looks misspelt, and leaves other variables alone', () => {
    expect(settingWarnings({ REDIS_URI: 'redis://x', STUDY_TIMEZON: 'UTC', PATH: '/bin', HOSTNAME: 'h', NODE_OPTIONS: '', REDIS_URL: 'redis://y' })).toEqual([
      'REDIS_URI is not a setting; did you mean REDIS_URL?',
      'STUDY_TIMEZON is not a setting; did you mean STUDY_TIMEZONE?',
    ]);
  });

  it('refuses to start in production without service tokens, and never echoes a token', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SERVICE_TOKENS is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/SERVICE_TOKENS is required/);
    try {
      loadConfig({ SERVICE_TOKENS: 'chat:secret-but-short' });
    } catch (error) {
      expect(String(error)).not.toContain('secret-but-short');
    }
  });

  it('runs open only without any auth setting', () => {
    expect(loadConfig({}).auth.enabled).toBe(false);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).auth.enabled).toBe(true);
  });

  describe('Redis deployment modes', () => {
    it('reads a single Redis, a Sentinel master and their password', () => {
      expect(loadConfig({ REDIS_URL: 'redis://r:6379/1', REDIS_PASSWORD: 'pw' }).redis).toEqual({ mode: 'single', url: 'redis://r:6379/1', password: 'pw' });
      expect(loadConfig({ REDIS_SENTINELS: 's1:26379, s2:26380', REDIS_SENTINEL_NAME: 'main' })).toMatchObject({
        redis: { mode: 'sentinel', name: 'main', tls: false, password: undefined, sentinelPassword: undefined, sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }] },
      });
      expect(loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'sp' }).redis).toMatchObject({ sentinelPassword: 'sp' });
      expect(loadConfig({ REDIS_SENTINELS: 'rediss://s1:26379,rediss://[::1]:26380', REDIS_SENTINEL_NAME: 'm' }).redis).toMatchObject({
        tls: true,
        sentinels: [{ host: 's1', port: 26379 }, { host: '::1', port: 26380 }],
      });
      expect(loadConfig({}).redis).toBeUndefined();
    });

    it('reads Cluster seed nodes, with the password and TLS for every node', () => {
      expect(loadConfig({ REDIS_CLUSTER_NODES: 'c1:7000, c2:7001', REDIS_PASSWORD: 'pw' }).redis).toEqual({
        mode: 'cluster',
        nodes: [{ host: 'c1', port: 7000 }, { host: 'c2', port: 7001 }],
        password: 'pw',
        tls: false,
      });
      expect(loadConfig({ REDIS_CLUSTER_NODES: 'rediss://c1:7000' }).redis).toMatchObject({ mode: 'cluster', tls: true });
    });

    it.each([
      [{ REDIS_URL: 'redis://a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' }, /set one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, not REDIS_URL and REDIS_SENTINELS/],
      [{ REDIS_SENTINELS: 'b:2' }, /REDIS_SENTINELS needs REDIS_SENTINEL_NAME/],
      [{ REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINEL_NAME needs REDIS_SENTINELS/],
      [{ REDIS_URL: 'redis://r:6379', REDIS_SENTINEL_PASSWORD: 'x' }, /REDIS_SENTINEL_PASSWORD needs REDIS_SENTINELS/],
      [{ REDIS_SENTINELS: 'b', REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINELS: "b" is not host:port/],
      [{ REDIS_SENTINELS: 'b:70000', REDIS_SENTINEL_NAME: 'm' }, /is not host:port/],
      [{ REDIS_SENTINELS: 'redis://a:1,rediss://b:2', REDIS_SENTINEL_NAME: 'm' }, /mixes redis:\/\/ and rediss:\/\//],
      [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'bad name' }, /REDIS_SENTINEL_NAME must be/],
      [{ REDIS_URL: 'redis://:secret@a:1', REDIS_PASSWORD: 'pw' }, /keep one/],
      [{ REDIS_CLUSTER_NODES: 'a' }, /REDIS_CLUSTER_NODES: "a" is not host:port/],
      [{ REDIS_CLUSTER_NODES: 'a:7000', KEY_PREFIX: 'app{1}:' }, /KEY_PREFIX must not hold \{ or \} with REDIS_CLUSTER_NODES/],
    ])('refuses %o with a clear message', (env, message) => {
      expect(() => loadConfig(env)).toThrow(message);
    });

    it('knows the new names, so a misspelling of one is flagged', () => {
      expect(settingWarnings({ REDIS_SENTINEL: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODE: 'a:1', REDIS_PASSWORD: 'x' })).toEqual([
        'REDIS_SENTINEL is not a setting; did you mean REDIS_SENTINELS?',
        'REDIS_CLUSTER_NODE is not a setting; did you mean REDIS_CLUSTER_NODES?',
      ]);
    });
  });
});
