import { badInput } from '../../errors.js';
import { liveStudyTime } from '../records.js';
import { DAY_MS } from '../redis/calendar-args.js';
import { guard, num } from '../redis/context.js';
import type { SaveStudyTimeInput, StudyDayClosed, StudyTime, StudyTimeEntry } from '../types.js';
import type { ClusterContext } from './context.js';
import { allPartitions, groupByPartition, partitionOf } from './keys.js';

/** Timers credited per step of a day close: 500 held a shard for 77 ms, 200 stay well under ~50 ms. */
const SETTLE_BATCH = 200;

/**
 * Study time on a Redis Cluster. A user's timer and day totals live in
 * their partition, so every change is one step there; reports merge the
 * partitions' pages by user id, and a day closes partition by partition
 * (each part kept once done), then once for all with one marker.
 */
export function clusterStudy(ctx: ClusterContext) {
  const { client, options, keys, lists, steps, repairDelayMs, userStep, calendarArg, withCalendar, daysOf, counted, studyRetention } = ctx;
  const { calendar } = options;
  const studyChannel = (userId: string) => keys.channels.studyUser(userId);
  const timerKeys = (userId: string, cal: string) => counted([keys.user(userId), ...lists.study(partitionOf(userId), daysOf(cal)).keys]);

  /**
   * Credits, in one partition, every timer that started before `end`, a
   * batch a step. Each step moves its timers to `end`, so the loop ends; the
   * bound only keeps a fault from spinning (the caller's rounds then fail).
   */
  async function settleTimers(p: number, end: number, now: number) {
    for (let batch = 0; batch < 10_000; batch++) {
      const flat = await client.zrangebyscore(keys.timers(p), '-inf', `(${end}`, 'WITHSCORES', 'LIMIT', 0, SETTLE_BATCH);
      if (flat.length === 0) return;
      const ids = flat.filter((_, i) => i % 2 === 0);
      const oldest = Math.min(...flat.filter((_, i) => i % 2 === 1).map(Number));
      const cal = calendarArg(end, Math.min(oldest, end - DAY_MS));
      const reply = await steps.settleDayTimers(
        ...counted(lists.partitionUsers(p, ids, daysOf(cal)).keys),
        end,
        now,
        cal,
        studyRetention,
        ...ids.flatMap((id) => [id, studyChannel(id)]),
      );
      if (Array.isArray(reply)) throw new Error('timer older than the calendar in a day close');
    }
  }

  /** Each partition's 'users,totalSeconds' for the day, closing the parts still open. */
  async function closeParts(day: string, end: number, now: number) {
    // A part refuses to close while a timer from before the end runs; only a
    // timer started at a skewed clock can appear after the settling, so a
    // few rounds suffice, and a pass that still fails is retried by the next.
    for (let round = 0; round < 3; round++) {
      await Promise.all(allPartitions.map((p) => settleTimers(p, end, now)));
      const sums = (await Promise.all(allPartitions.map((p) => steps.closePartitionDay(...lists.partitionDay(p, day).keys, end, studyRetention)))) as Array<
        string | null
      >;
      if (sums.every((s) => s !== null)) return sums as string[];
    }
    throw new Error(`study day ${day}: timers kept starting before its end`);
  }

  return {
    startStudyTimer: (userId: string, _roomId: string | null, now: number) =>
      guard(async () => {
        const cal = calendarArg(now);
        const [changed, seconds] = (await steps.startTimer(...timerKeys(userId, cal), userId, now, cal, studyChannel(userId), studyRetention)) as [number, number];
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: true };
        return { changed: changed === 1, time };
      }),

    stopStudyTimer: (userId: string, now: number) =>
      guard(async () => {
        const [changed, seconds] = await withCalendar<[number, number]>(now, (cal) =>
          steps.stopTimer(...timerKeys(userId, cal), userId, now, cal, studyChannel(userId), studyRetention),
        );
        const time: StudyTime = { userId, day: calendar.dayOf(now), seconds, running: false };
        return { changed: changed === 1, time };
      }),

    saveStudyTime: ({ userId, seconds, roomId, leftRoom, day }: SaveStudyTimeInput, now: number) =>
      guard(async () => {
        const cal = calendarArg(now);
        const { reply } = await userStep(userId, 2, () =>
          steps.saveStudy(
            ...counted(lists.studyUser(userId, daysOf(cal), day).keys),
            userId,
            day,
            seconds,
            leftRoom ? '1' : '0',
            roomId ?? '',
            now,
            cal,
            studyChannel(userId),
            studyRetention,
            now + repairDelayMs,
          ),
        );
        if (reply[0] === -1) throw badInput('leftRoom needs a roomId: the user is in no room');
        return { userId, day, seconds: Number(reply[0]), running: reply[1] === 1 };
      }),

    /** One step per partition that holds any of the users, sent together. */
    syncStudyTimes: (entries: readonly StudyTimeEntry[], day: string, now: number) =>
      guard(async () => {
        const cal = calendarArg(now);
        const counts = await Promise.all(
          [...groupByPartition(entries, (e) => partitionOf(e.userId))].map(([p, indexes]) => {
            const group = indexes.map((i) => entries[i]!);
            return steps.syncStudy(
              ...counted(lists.partitionUsers(p, group.map((e) => e.userId), daysOf(cal), day).keys),
              day,
              now,
              cal,
              studyRetention,
              ...group.flatMap((e) => [e.userId, e.seconds, studyChannel(e.userId)]),
            );
          }),
        );
        return counts.reduce<number>((sum, n) => sum + Number(n), 0);
      }),

    studyTime: (userId: string, day: string, now: number) =>
      guard(async () => {
        // Both keys are in the user's partition: one transaction, one round trip.
        const replies = (await client.multi().hget(keys.studyTotals(partitionOf(userId), day), userId).hget(keys.user(userId), 'ts').exec()) ?? [];
        const [[totalError, recorded], [timerError, start]] = replies as Array<[Error | null, string | null]> as [
          [Error | null, string | null],
          [Error | null, string | null],
        ];
        if (totalError || timerError) throw totalError ?? timerError;
        return liveStudyTime(calendar, userId, day, Number(recorded ?? 0), num(start), now);
      }),

    /** Every partition's next page after the cursor, merged by user id: the cursor (a user id) is stable across partitions. */
    studyReport: (day: string, first: number, after: string | null) =>
      guard(async () => {
        const pages = await Promise.all(allPartitions.map((p) => steps.studyPage(...lists.studyPage(p, day).keys, after ?? '', first)));
        const entries: StudyTime[] = [];
        for (const flat of pages as Array<Array<string | number>>) {
          for (let i = 0; i < flat.length; i += 3) entries.push({ userId: String(flat[i]), day, seconds: Number(flat[i + 1]), running: flat[i + 2] === 1 });
        }
        // Byte order, as ZRANGEBYLEX orders each partition's page.
        entries.sort((a, b) => Buffer.compare(Buffer.from(a.userId), Buffer.from(b.userId)));
        return { entries: entries.slice(0, first), hasNextPage: entries.length > first };
      }),

    /**
     * Closes an ended day once: each partition credits its running timers up
     * to the day's end (a batch a step) and keeps its sums; then one step
     * marks the day and publishes studyDayClosed. A pass cut short is
     * finished by the next one, on any instance; nothing is credited twice.
     */
    closeDay: (day: string, now: number) =>
      guard(async (): Promise<StudyDayClosed | null> => {
        if ((await client.exists(keys.dayClosed(day))) === 1) return null;
        const end = calendar.endOf(day);
        const sums = await closeParts(day, end, now);
        const closed: StudyDayClosed = { day, users: 0, totalSeconds: 0 };
        for (const sum of sums) {
          const [users, total] = sum.split(',').map(Number) as [number, number];
          closed.users += users;
          closed.totalSeconds += total;
        }
        const target = lists.dayClose(day);
        const first = await steps.closeDay(...target.keys, JSON.stringify(closed), ...target.channels, studyRetention);
        return first === 1 ? closed : null;
      }),
  };
}
