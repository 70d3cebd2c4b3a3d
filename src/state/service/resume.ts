import type { BoundedIterator } from '../../pubsub/bounded-iterator.js';
import { withSnapshot } from '../../pubsub/with-snapshot.js';
import { comparePositions, type LogRead } from '../resume.js';

/**
 * A guild stream resumed from a position: the events the log kept after it
 * (those `keep` lets through, as the live filter does), then the live ones
 * newer than the last event read; or, when some were dropped, one RESYNC
 * event and then the live ones. `live` must be subscribed before the log is
 * read, so nothing published in between is lost.
 */
export async function resumeFrom<T extends { position: string | null }>(
  live: BoundedIterator<T>,
  after: string,
  read: () => Promise<LogRead<T>>,
  keep: ((event: T) => boolean) | null,
  resync: (tail: string | null) => T,
): Promise<AsyncIterableIterator<T>> {
  try {
    const log = await read();
    if (log.gap) return withSnapshot([resync(log.tail)], live, () => true);
    const last = log.events.at(-1)?.position ?? after;
    const missed = keep ? log.events.filter(keep) : log.events;
    return withSnapshot(missed, live, (event) => event.position === null || comparePositions(event.position, last) > 0);
  } catch (error) {
    await live.return?.();
    throw error;
  }
}
