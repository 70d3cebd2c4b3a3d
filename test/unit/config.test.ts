import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has documented defaults and selects the memory engine without REDIS_URL', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      redisUrl: undefined,
      keyPrefix: 'ss:',
      presenceRetentionSeconds: 604800,
      studyDayStart: '05:00',
      studyTimezone: 'Asia/Seoul',
      studyRetentionDays: 35,
      production: false,
    });
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
    });
    expect(config).toMatchObject({ port: 8080, redisUrl: 'redis://redis:6379/2', keyPrefix: 'prod:', presenceRetentionSeconds: 60, studyDayStart: '04:30', studyTimezone: 'Europe/Berlin', studyRetentionDays: 7, production: true });
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
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
