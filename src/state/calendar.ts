import { DateTime } from 'luxon';

/** A study day's name: the local date on which it starts, `YYYY-MM-DD`. */
export type Day = string;

export interface StudyCalendar {
  /** The study day an instant belongs to. */
  dayOf(ms: number): Day;
  /** The instant a day starts (its local STUDY_DAY_START). */
  startOf(day: Day): number;
  /** The instant a day ends: the start of the next day. */
  endOf(day: Day): number;
  addDays(day: Day, days: number): Day;
  /** Each day overlapping [from, to) with its start, oldest first. */
  window(from: number, to: number): Array<[Day, number]>;
  /** Whole seconds of [from, to) per day; seconds are counted as clock ticks so splits add up exactly. */
  split(from: number, to: number): Array<[Day, number]>;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string names a real calendar date, `YYYY-MM-DD`. */
export const isDay = (value: string) => DAY.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;

/**
 * Study days in a zone, starting at a local time. Zone arithmetic is luxon's,
 * so a day that contains a DST change is 23 or 25 hours long; a start time
 * that does not exist on a day (inside a DST gap) moves forward with the clock.
 */
export function createStudyCalendar(dayStart: string, timezone: string): StudyCalendar {
  // Zone math through Intl is slow and the answers change once a day, so
  // day starts are memoized (a few dozen days are ever asked for) and dayOf
  // answers from the last day it found while the instant stays inside it.
  const starts = new Map<Day, number>();
  const startOf = (day: Day) => {
    let start = starts.get(day);
    if (start === undefined) {
      start = DateTime.fromISO(`${day}T${dayStart}`, { zone: timezone }).toMillis();
      if (starts.size > 10_000) starts.clear();
      starts.set(day, start);
    }
    return start;
  };
  const addDays = (day: Day, days: number) => {
    const date = new Date(`${day}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  };
  const endOf = (day: Day) => startOf(addDays(day, 1));

  // The last few days found: callers ask about today and yesterday in turn,
  // and one remembered day would make them evict each other.
  const recent: Array<{ day: Day; start: number; end: number }> = [];
  // Defined by startOf, not by comparing wall-clock times, so the two agree
  // even on days whose start time is skipped or repeated by DST.
  const dayOf = (ms: number): Day => {
    for (const r of recent) if (ms >= r.start && ms < r.end) return r.day;
    const date = DateTime.fromMillis(ms, { zone: timezone }).toISODate() as string;
    const day = ms < startOf(date) ? addDays(date, -1) : date;
    recent.unshift({ day, start: startOf(day), end: endOf(day) });
    if (recent.length > 4) recent.pop();
    return day;
  };

  const window = (from: number, to: number) => {
    const days: Array<[Day, number]> = [];
    for (let day = dayOf(from); ; day = addDays(day, 1)) {
      const start = startOf(day);
      if (start >= to && days.length > 0) break;
      days.push([day, start]);
    }
    return days;
  };

  const split = (from: number, to: number) => {
    const parts: Array<[Day, number]> = [];
    for (const [day, start] of window(from, to)) {
      const a = Math.max(from, start);
      const b = Math.min(to, endOf(day));
      const seconds = Math.floor(b / 1000) - Math.floor(a / 1000);
      if (seconds > 0) parts.push([day, seconds]);
    }
    return parts;
  };

  return { dayOf, startOf, endOf, addDays, window, split };
}

/** `HH:MM:SS`, as seed 000 sent study time; 86400 s is `24:00:00`. */
export function formatSeconds(total: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

export const MAX_DAY_SECONDS = 86_400;
