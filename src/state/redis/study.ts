import { badInput } from '../../errors.js';
import { liveStudyTime } from '../records.js';
import type { StudyTime } from '../types.js';
import { num } from './context.js';
import type { StateEngine } from '../engine.js';
import { guard, type RedisContext } from './context.js';

/** Study timers, totals, reports and day closing. */
export function redisStudy({ client, keyPrefix, keys, calendar, studyRetention, calendarArg, withCalendar }: RedisContext): Pick<
  StateEngine,
  'startStudyTimer' | 'stopStudyTimer' | 'saveStudyTime' | 'syncStudyTimes' | 'studyTime' | 'studyReport' | 'closeDay'
> {
  return {
    startStudyTimer: (userId, _roomId, now) =>
      guard(async () => {
        const [changed, seconds] = (await client.startStudyTimer(
          keys.user(userId),
          keys.studyTimers(),
          keyPrefix,
          userId,
          now,
          calendarArg(now),
        )) as [number, number];
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: true };
        return { changed: changed === 1, time };
      }),

    stopStudyTimer: (userId, now) =>
      guard(async () => {
        const [changed, seconds] = await withCalendar<[number, number]>(now, (cal) =>
          client.stopStudyTimer(keys.user(userId), keys.studyTimers(), keyPrefix, userId, now, cal, studyRetention),
        );
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: false };
        return { changed: changed === 1, time };
      }),

    saveStudyTime: ({ userId, seconds, roomId, leftRoom, day }, now) =>
      guard(async () => {
        const reply = (await client.saveStudyTime(
          keys.studyTotals(day),
          keys.studyMembers(day),
          keys.user(userId),
          keyPrefix,
          userId,
          day,
          seconds,
          leftRoom ? '1' : '0',
          roomId ?? '',
          now,
          calendarArg(now),
          studyRetention,
        )) as [number, number];
        if (reply[0] === -1) throw badInput('leftRoom needs a roomId: the user is in no room');
        return { userId, day, seconds: reply[0], running: reply[1] === 1 };
      }),

    syncStudyTimes: (entries, day, now) =>
      guard(async () => {
        const pairs = entries.flatMap(({ userId, seconds }) => [userId, seconds]);
        return Number(
          await client.syncStudyTimes(
            keys.studyTotals(day),
            keys.studyMembers(day),
            keyPrefix,
            day,
            now,
            calendarArg(now),
            studyRetention,
            ...pairs,
          ),
        );
      }),

    studyTime: (userId, day, now) =>
      guard(async () => {
        const replies = (await client.pipeline().hget(keys.studyTotals(day), userId).hget(keys.user(userId), 'ts').exec()) ?? [];
        const [[totalError, recorded], [timerError, start]] = replies as Array<[Error | null, string | null]> as [
          [Error | null, string | null],
          [Error | null, string | null],
        ];
        if (totalError || timerError) throw totalError ?? timerError;
        return liveStudyTime(calendar, userId, day, Number(recorded ?? 0), num(start), now);
      }),

    studyReport: (day, first, after) =>
      guard(async () => {
        const [hasNext, ...flat] = (await client.studyReport(
          keys.studyMembers(day),
          keys.studyTotals(day),
          keyPrefix,
          after ?? '',
          first,
        )) as [number, ...Array<string | number>];
        const entries: StudyTime[] = [];
        for (let i = 0; i < flat.length; i += 3) {
          entries.push({ userId: String(flat[i]), day, seconds: Number(flat[i + 1]), running: flat[i + 2] === 1 });
        }
        return { entries, hasNextPage: hasNext === 1 };
      }),

    closeDay: (day, now) =>
      guard(async () => {
        const end = calendar.endOf(day);
        // The calendar runs from the closing day to its end; older timers trigger a retry.
        const reply = await withCalendar<[number, number, number]>(end, (cal) =>
          client.closeStudyDay(
            keys.studyClosed(day),
            keys.studyTotals(day),
            keys.studyTimers(),
            keyPrefix,
            day,
            end,
            now,
            cal,
            studyRetention,
          ),
        );
        return reply[0] === 1 ? { day, users: Number(reply[1]), totalSeconds: Number(reply[2]) } : null;
      }),

  };
}
