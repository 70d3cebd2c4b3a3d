import { badInput } from '../../errors.js';
import { topics } from '../topics.js';
import { byteOrder } from '../records.js';
import { summarize } from './store.js';
import type { StateEngine } from '../engine.js';
import type { MemoryStore } from './store.js';

/** Study timers, totals, reports and day closing. */
export function memoryStudy(
  { totals, timers, closedDays, dayKept, publish, liveUser, publishRoomOut, stored, setTotal, studyTimeOf, publishStudy, settleTimer, clock, calendar }: MemoryStore,
): Pick<
  StateEngine,
  'startStudyTimer' | 'stopStudyTimer' | 'saveStudyTime' | 'syncStudyTimes' | 'studyTime' | 'studyReport' | 'closeDay'
> {
  return {
    async startStudyTimer(userId, _roomId, now) {
      const today = calendar.dayOf(now);
      if (timers.has(userId)) return { changed: false, time: studyTimeOf(userId, today, now) };
      timers.set(userId, now);
      publishStudy(userId, today, now);
      return { changed: true, time: studyTimeOf(userId, today, now) };
    },

    async stopStudyTimer(userId, now) {
      const today = calendar.dayOf(now);
      const changed = timers.has(userId);
      settleTimer(userId, now, now, false);
      return { changed, time: studyTimeOf(userId, today, now) };
    },

    async saveStudyTime({ userId, seconds, roomId, leftRoom, day }, now) {
      const room = roomId ?? (leftRoom ? summarize(liveUser(userId)?.sessions ?? new Map()).room : null);
      if (leftRoom && room === null) throw badInput('leftRoom needs a roomId: the user is in no room');
      if (seconds > stored(userId, day, now)) {
        setTotal(userId, day, seconds, now);
        publishStudy(userId, day, now);
      }
      if (leftRoom && room !== null) publishRoomOut(room, userId, now);
      return studyTimeOf(userId, day, now);
    },

    async syncStudyTimes(entries, day, now) {
      let updated = 0;
      for (const { userId, seconds } of entries) {
        if (seconds <= stored(userId, day, now)) continue;
        setTotal(userId, day, seconds, now);
        publishStudy(userId, day, now);
        updated += 1;
      }
      return updated;
    },

    async studyTime(userId, day, now) {
      return studyTimeOf(userId, day, now);
    },

    async studyReport(day, first, after) {
      const now = clock.now();
      const ids = [...(dayKept(day, now) ? (totals.get(day)?.keys() ?? []) : [])]
        .filter((id) => after === null || byteOrder(id, after) > 0)
        .sort(byteOrder);
      const page = ids.slice(0, first);
      return {
        entries: page.map((userId) => ({ userId, day, seconds: stored(userId, day, now), running: timers.has(userId) })),
        hasNextPage: ids.length > first,
      };
    },

    async closeDay(day, now) {
      if (closedDays.has(day)) return null;
      const end = calendar.endOf(day);
      for (const [userId, start] of [...timers]) if (start < end) settleTimer(userId, end, now, true);
      const byUser = dayKept(day, now) ? totals.get(day) : undefined;
      let totalSeconds = 0;
      for (const seconds of byUser?.values() ?? []) totalSeconds += seconds;
      const closed = { day, users: byUser?.size ?? 0, totalSeconds };
      closedDays.set(day, closed);
      void publish(topics.studyDayClosed(), closed);
      return closed;
    },

  };
}
