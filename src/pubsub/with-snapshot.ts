/**
 * Sends a snapshot first, then the live events that are newer than it. The
 * live iterator must be subscribed before the snapshot was read: events
 * published in between are buffered there, and `isNewer` drops the ones the
 * snapshot already holds, so nothing is lost or sent twice.
 */
export function withSnapshot<T>(
  snapshot: readonly T[],
  live: AsyncIterableIterator<T>,
  isNewer: (event: T) => boolean,
): AsyncIterableIterator<T> {
  let sent = 0;
  return {
    async next() {
      if (sent < snapshot.length) return { value: snapshot[sent++] as T, done: false };
      for (;;) {
        const result = await live.next();
        if (result.done || isNewer(result.value)) return result;
      }
    },
    return: () => live.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error?: unknown) => live.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
