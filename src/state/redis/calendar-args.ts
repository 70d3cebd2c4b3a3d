import type { StudyCalendar } from '../calendar.js';

export const NEEDS_CALENDAR = -2;
export const DAY_MS = 86_400_000;

/**
 * The calendar argument of the study scripts ('day,start,day,start,…',
 * oldest first, lua/lib/calendar.lua), shared by the single-node and the
 * Cluster engines: zone arithmetic stays in TypeScript.
 */
export function createCalendarArgs(calendar: StudyCalendar) {
  /** The days Lua needs to split timer time: from `from` (default: yesterday) to today. */
  const build = (now: number, from: number) => calendar.window(Math.min(from, now), now + 1).flat().join(',');
  // The usual two-day calendar only changes when a day starts; it is built
  // on every connect and disconnect, so it is kept until the day changes.
  let usual: { today: string; yesterday: string; text: string } | null = null;
  const calendarArg = (now: number, from?: number) => {
    if (from !== undefined) return build(now, from);
    const today = calendar.dayOf(now);
    const yesterday = calendar.dayOf(now - DAY_MS);
    if (usual?.today !== today || usual.yesterday !== yesterday) usual = { today, yesterday, text: build(now, now - DAY_MS) };
    return usual.text;
  };

  /**
   * Runs a script with the usual two-day calendar; a script that meets an
   * older timer writes nothing and names its start, and runs again once
   * with a calendar reaching back to it.
   */
  async function withCalendar<T extends unknown[]>(now: number, run: (cal: string) => Promise<unknown>): Promise<T> {
    let reply = (await run(calendarArg(now))) as T;
    if (reply[0] === NEEDS_CALENDAR) reply = (await run(calendarArg(now, Number(reply[1])))) as T;
    if (reply[0] === NEEDS_CALENDAR) throw new Error('timer older than the calendar after a retry');
    return reply;
  }

  /** The days of a calendar argument, oldest first. */
  const daysOf = (cal: string) => cal.split(',').filter((_, i) => i % 2 === 0);

  return { calendarArg, withCalendar, daysOf, DAY_MS };
}
