import type { BoundedIterator } from './bounded-iterator.js';

/**
 * Sends a snapshot first, then the live events that are newer than it. The
 * live iterator must be subscribed before the snapshot was read: events
 * published in between are buffered there, and `isNewer` drops the ones the
 * snapshot already holds, so nothing is lost or sent twice. A consumer can
 * take it directly (`consume`), as it can the live iterator.
 */
export function withSnapshot<T>(
  snapshot: readonly T[],
  live: BoundedIterator<T>,
  isNewer: (event: T) => boolean,
): AsyncIterableIterator<T> & Pick<BoundedIterator<T>, 'consume'> {
  let sent = 0;
  return {
    async next() {
      if (sent < snapshot.length) return { value: snapshot[sent++] as T, done: false };
      for (;;) {
        const result = await live.next();
        if (result.done || isNewer(result.value)) return result;
      }
    },
    consume(consumer) {
      while (sent < snapshot.length) consumer.onValue(snapshot[sent++] as T);
      live.consume({ onValue: (event) => isNewer(event) && consumer.onValue(event), onEnd: (error) => consumer.onEnd(error) });
    },
    return: () => live.return!(),
    throw: (error?: unknown) => live.throw!(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
