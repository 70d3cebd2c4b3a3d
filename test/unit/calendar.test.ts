import { describe, expect, it } from 'vitest';
import { createStudyCalendar, formatSeconds, isDay } from '../../src/state/calendar.js';

const seoul = createStudyCalendar('05:00', 'Asia/Seoul');
const utc = (iso: string) => Date.parse(iso);

describe('study calendar', () => {
  it('names a day by the date it starts on, in the zone', () => {
    // 02:00 on the 24th in Seoul belongs to the 23rd.
    expect(seoul.dayOf(utc('2026-11-23T17:00:00Z'))).toBe('2026-11-23'); // 02:00 KST on the 24th
    expect(seoul.dayOf(utc('2026-11-23T19:59:59Z'))).toBe('2026-11-23'); // 04:59:59 KST
    expect(seoul.dayOf(utc('2026-11-23T20:00:00Z'))).toBe('2026-11-24'); // 05:00 KST
    expect(seoul.startOf('2026-11-24')).toBe(utc('2026-11-23T20:00:00Z'));
    expect(seoul.endOf('2026-11-23')).toBe(utc('2026-11-23T20:00:00Z'));
  });

  it('answers dayOf from its remembered days exactly as a fresh calendar does', () => {
    // Callers ask for today and yesterday in turn, across DST changes too.
    const cached = createStudyCalendar('02:30', 'Europe/Berlin');
    const start = utc('2026-10-20T00:00:00Z');
    for (let ms = start; ms < start + 14 * 86_400_000; ms += 1_234_567) {
      for (const t of [ms, ms - 86_400_000, ms + 1]) {
        expect(cached.dayOf(t)).toBe(createStudyCalendar('02:30', 'Europe/Berlin').dayOf(t));
      }
    }
  });

  it('splits time across the boundary, the part before it belonging to the day before', () => {
    const parts = seoul.split(utc('2026-11-23T19:30:00Z'), utc('2026-11-23T20:45:00Z'));
    expect(parts).toEqual([
      ['2026-11-23', 1800],
      ['2026-11-24', 2700],
    ]);
  });

  it('counts seconds as clock ticks so split parts add up exactly', () => {
    const from = utc('2026-11-23T19:59:59.700Z');
    const to = utc('2026-11-23T20:00:01.200Z');
    expect(seoul.split(from, to)).toEqual([
      ['2026-11-23', 1],
      ['2026-11-24', 1],
    ]);
    expect(seoul.split(from, from + 200)).toEqual([]);
  });

  it('makes DST days 23 and 25 hours long (Europe/Berlin)', () => {
    const berlin = createStudyCalendar('05:00', 'Europe/Berlin');
    // Clocks go forward at 02:00 on 2026-03-29, back at 03:00 on 2026-10-25.
    expect(berlin.endOf('2026-03-28') - berlin.startOf('2026-03-28')).toBe(23 * 3600_000);
    expect(berlin.endOf('2026-10-24') - berlin.startOf('2026-10-24')).toBe(25 * 3600_000);
    expect(berlin.endOf('2026-10-25') - berlin.startOf('2026-10-25')).toBe(24 * 3600_000);
    const long = berlin.split(berlin.startOf('2026-10-24'), berlin.endOf('2026-10-24'));
    expect(long).toEqual([['2026-10-24', 25 * 3600]]);
  });

  it('starts a day whose start falls in a DST gap when the clock reaches it', () => {
    const gap = createStudyCalendar('02:30', 'Europe/Berlin');
    expect(new Date(gap.startOf('2026-03-29')).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(gap.dayOf(Date.parse('2026-03-29T01:00:00Z'))).toBe('2026-03-28');
  });

  it('lists the days a range overlaps', () => {
    expect(seoul.window(utc('2026-11-21T21:00:00Z'), utc('2026-11-23T21:00:00Z')).map(([d]) => d)).toEqual([
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
    ]);
  });

  it('validates and formats', () => {
    expect(isDay('2026-11-23')).toBe(true);
    for (const bad of ['2026-02-30', '2026-1-01', '26-11-23', '2026-11-23T00:00', '']) expect(isDay(bad)).toBe(false);
    expect(formatSeconds(0)).toBe('00:00:00');
    expect(formatSeconds(3723)).toBe('01:02:03');
    expect(formatSeconds(86400)).toBe('24:00:00');
  });
});
