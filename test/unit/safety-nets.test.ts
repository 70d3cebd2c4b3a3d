import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, JsonDepthScanner } from '../../src/json-depth.js';
import { createLogger, throttleLog } from '../../src/logger.js';
import { SlowConsumerGauge } from '../../src/server/slow-consumer.js';

describe('JSON depth', () => {
  it('counts brackets outside strings only, across pieces', () => {
    expect(jsonDepthExceeds('{"a":[[1]]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[[[1]]]}', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
    const scanner = new JsonDepthScanner(2);
    expect(scanner.feed(Buffer.from('{"x":"\\'))).toBe(true);
    expect(scanner.feed(Buffer.from('"[[[", "y": ['))).toBe(true);
    expect(scanner.feed(Buffer.from('['))).toBe(false);
  });
});

describe('slow consumer gauge', () => {
  const limits = { maxBufferedBytes: 1_000_000, maxLagMs: 100 };
  it('cuts a peer over the byte limit at once, and one that stays behind past maxLagMs', () => {
    expect(new SlowConsumerGauge(limits).check(1_000_001, 0)).toMatch(/more than 1000000 bytes/);
    const gauge = new SlowConsumerGauge(limits);
    expect(gauge.check(200_000, 0)).toBeNull();
    expect(gauge.check(200_000, 90)).toBeNull();
    expect(gauge.check(200_000, 101)).toMatch(/behind for more than 100 ms/);
  });
  it('forgives a peer that catches up in between', () => {
    const gauge = new SlowConsumerGauge(limits);
    expect(gauge.check(200_000, 0)).toBeNull();
    expect(gauge.check(10, 50)).toBeNull();
    expect(gauge.check(200_000, 120)).toBeNull();
    expect(gauge.check(200_000, 200)).toBeNull();
  });
});

describe('throttled log', () => {
  it('writes one line per key in a window and counts what it held back', () => {
    const lines: string[] = [];
    let t = 0;
    const log = throttleLog(createLogger('info', (line) => lines.push(line)), 1_000, () => t);
    for (let i = 0; i < 5; i++) log.info('bad-frame', 'bad frame', { n: i });
    log.warn('other', 'other');
    t = 1_000;
    log.info('bad-frame', 'bad frame', { n: 9 });
    expect(lines.map((l) => JSON.parse(l)).map(({ msg, n, heldBack }) => ({ msg, n, heldBack }))).toEqual([
      { msg: 'bad frame', n: 0, heldBack: undefined },
      { msg: 'other', n: undefined, heldBack: undefined },
      { msg: 'bad frame', n: 9, heldBack: 4 },
    ]);
  });
});
