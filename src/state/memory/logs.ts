import type { Clock } from '../../clock.js';
import { comparePositions, NO_RESUME, type LogRead, type ResumeOptions } from '../resume.js';

interface Log<T> {
  entries: Array<{ id: string; event: T }>;
  /** The newest id trimmed away ('0-0': none), as Redis's max-deleted-entry-id. */
  deleted: string;
  last: [number, number];
  touchedAt: number;
}

/** Guild event logs in memory, as read-log.lua and `logged` keep them in Redis (resume.ts): ids 'ms-seq', capped, dropped when idle. */
export function createMemoryLogs<T extends { position: string | null }>(clock: Clock, { events, idleMs }: ResumeOptions = NO_RESUME) {
  const logs = new Map<string, Log<T>>();
  const live = (key: string) => {
    const log = logs.get(key);
    if (log && log.touchedAt + idleMs <= clock.now()) logs.delete(key);
    return logs.get(key);
  };
  return {
    logs,
    /** Appends the event; returns it with its position (the event itself when no log is kept). */
    append(key: string, event: T): T {
      if (events === 0) return event;
      const now = clock.now();
      let log = live(key);
      if (!log) logs.set(key, (log = { entries: [], deleted: '0-0', last: [0, 0], touchedAt: now }));
      const [ms, seq] = log.last;
      log.last = now > ms ? [now, 0] : [ms, seq + 1];
      const id = `${log.last[0]}-${log.last[1]}`;
      const positioned = { ...event, position: id };
      log.entries.push({ id, event: positioned });
      if (log.entries.length > events) log.deleted = log.entries.splice(0, log.entries.length - events).at(-1)!.id;
      log.touchedAt = now;
      return positioned;
    },
    read(key: string, after: string): LogRead<T> {
      const log = live(key);
      if (!log) return { gap: true, events: [], tail: null };
      const tail = `${log.last[0]}-${log.last[1]}`;
      const first = log.entries[0]?.id;
      const gap = log.deleted !== '0-0' ? comparePositions(after, log.deleted) < 0 : first !== undefined && comparePositions(after, first) < 0;
      if (gap) return { gap, events: [], tail };
      return { gap, events: log.entries.filter((e) => comparePositions(e.id, after) > 0).map((e) => e.event), tail };
    },
  };
}
