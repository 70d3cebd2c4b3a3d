import { badInput } from '../../errors.js';
import { topics } from '../topics.js';
import { isDay, MAX_DAY_SECONDS } from '../calendar.js';
import { assertId, assertInt, assertOptionalId } from '../../validate.js';
import type { StateService, StateServiceDeps } from './contract.js';
import type { StudyDayClosed } from '../types.js';

/** Most entries one syncStudyTimes call takes. */
export const MAX_SYNC_ENTRIES = 1000;
/** studyReport page sizes. */
export const REPORT_PAGE = { default: 100, max: 1000 } as const;
/** How far back a service catches up on days nobody closed (all instances down). */
const CATCH_UP_DAYS = 3;

import { decodeCursor, encodeCursor } from './cursor.js';

type StudyPart = Pick<
  StateService,
  | 'startStudyTimer'
  | 'stopStudyTimer'
  | 'saveStudyTime'
  | 'syncStudyTimes'
  | 'studyTime'
  | 'studyReport'
  | 'closeEndedDays'
  | 'studyTimeChanged'
  | 'studyDayClosed'
>;

/** Study time and days: validation, the clock and the calendar, one engine call each. */
export function studyService({ engine, bus, clock, calendar, studyRetentionDays, closeDelayMs = 0 }: StateServiceDeps): StudyPart {
  const readDay = (day: unknown): string => {
    if (day === null || day === undefined) return calendar.dayOf(clock.now());
    if (typeof day !== 'string' || !isDay(day)) throw badInput('day must be a date, YYYY-MM-DD');
    return day;
  };
  /** A day that may still be written: not in the future, not past retention. */
  const writableDay = (day: unknown): string => {
    const valid = readDay(day);
    const today = calendar.dayOf(clock.now());
    if (valid > today) throw badInput(`day ${valid} has not started yet`);
    if (valid < calendar.addDays(today, -studyRetentionDays)) throw badInput(`day ${valid} is no longer kept`);
    return valid;
  };
  const seconds = (value: unknown, field: string) => assertInt(value, field, 0, MAX_DAY_SECONDS);
  let lastClosed: string | null = null;

  return {
    async startStudyTimer({ userId, roomId }) {
      const { time } = await engine.startStudyTimer(assertId(userId, 'userId'), assertOptionalId(roomId, 'roomId'), clock.now());
      return time;
    },
    async stopStudyTimer({ userId, roomId }) {
      assertOptionalId(roomId, 'roomId');
      return (await engine.stopStudyTimer(assertId(userId, 'userId'), clock.now())).time;
    },
    async saveStudyTime(input) {
      const valid = {
        userId: assertId(input.userId, 'userId'),
        seconds: seconds(input.seconds, 'seconds'),
        roomId: assertOptionalId(input.roomId, 'roomId'),
        leftRoom: input.leftRoom === true,
        day: writableDay(input.day),
      };
      return engine.saveStudyTime(valid, clock.now());
    },
    async syncStudyTimes({ entries, final, day }) {
      if (entries.length > MAX_SYNC_ENTRIES) {
        throw badInput(`entries holds at most ${MAX_SYNC_ENTRIES} users, got ${entries.length}`);
      }
      const valid = entries.map((e, i) => ({
        userId: assertId(e.userId, `entries[${i}].userId`),
        seconds: seconds(e.seconds, `entries[${i}].seconds`),
      }));
      const target = writableDay(day);
      const updated = valid.length > 0 ? await engine.syncStudyTimes(valid, target, clock.now()) : 0;
      // The last batch of an ended day (seed SCHEDULER_LAST) closes it now
      // rather than after STUDY_CLOSE_DELAY_SECONDS.
      if (final === true && calendar.endOf(target) <= clock.now()) await engine.closeDay(target, clock.now());
      return { updated, day: target };
    },
    studyTime: async (userId, day) => engine.studyTime(assertId(userId, 'userId'), readDay(day), clock.now()),
    async studyReport(day, first, after) {
      if (day === null || day === undefined) throw badInput('day is required');
      const valid = readDay(day);
      const size = first === null || first === undefined ? REPORT_PAGE.default : assertInt(first, 'first', 1, REPORT_PAGE.max);
      const page = await engine.studyReport(valid, size, decodeCursor(after, 'studyReport'));
      const last = page.entries.at(-1);
      return { day: valid, entries: page.entries, hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last.userId) : null };
    },
    async closeEndedDays() {
      const now = clock.now();
      const lastEnded = calendar.addDays(calendar.dayOf(now - closeDelayMs), -1);
      let day = lastClosed === null ? calendar.addDays(lastEnded, 1 - CATCH_UP_DAYS) : calendar.addDays(lastClosed, 1);
      const closed: StudyDayClosed[] = [];
      for (; day <= lastEnded; day = calendar.addDays(day, 1)) {
        const summary = await engine.closeDay(day, now);
        if (summary) closed.push(summary);
        lastClosed = day;
      }
      return closed;
    },
    studyTimeChanged: async (userId) => bus.subscribe([topics.studyUser(assertId(userId, 'userId'))]),
    studyDayClosed: async () => bus.subscribe([topics.studyDayClosed()]),
  };
}
