import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

const capture = (level: Parameters<typeof createLogger>[0]) => {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => void lines.push(line));
  return { logger, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
};

describe('logger (pino)', () => {
  it('writes one JSON line with ISO time, level name and msg; fields never overwrite them', () => {
    const { logger, lines } = capture('info');
    logger.info('started', { port: 4000, time: 'x', level: 'y', msg: 'z' });
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', msg: 'started', port: 4000, field_time: 'x', field_level: 'y', field_msg: 'z' });
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time);
  });

  it('serializes an error field with its type, message and stack, and redacts credentials', () => {
    const { logger, lines } = capture('info');
    logger.error('failed', { error: new TypeError('boom'), authorization: 'Bearer secret-token', headers: { authorization: 'x' } });
    const [line] = lines();
    expect(line!.error).toMatchObject({ type: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });
    expect(line).toMatchObject({ authorization: '[Redacted]', headers: { authorization: '[Redacted]' } });
    expect(JSON.stringify(line)).not.toContain('secret-token');
  });

  it('writes nothing below its level, and nothing at all when silent', () => {
    const warn = capture('warn');
    warn.logger.info('hidden');
    warn.logger.warn('shown');
    expect(warn.lines().map((l) => l.msg)).toEqual(['shown']);
    const silent = capture('silent');
    silent.logger.error('hidden');
    expect(silent.lines()).toEqual([]);
  });
});
