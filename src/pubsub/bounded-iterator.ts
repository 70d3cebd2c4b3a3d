import { ErrorCode, StateError } from '../errors.js';

export interface BoundedIterator<T> extends AsyncIterableIterator<T> {
  /** Queues a value; past the limit the consumer is cut off with RATE_LIMITED. */
  push(value: T): void;
  /**
   * Hands every value to `onValue` as it is pushed, instead of queueing it
   * for next(): for a consumer that sends synchronously (the WebSocket
   * fan-out), this saves a promise per event. `onEnd` runs once when the
   * iterator ends.
   */
  consume(onValue: (value: T) => void, onEnd: () => void): void;
}

/**
 * An async iterator over a bounded queue. Unlike an unbounded one, a client
 * that stops reading cannot make the server hold events without limit: once
 * `limit` values wait, the queue is dropped and the next read fails, so the
 * client knows to resubscribe instead of silently missing events.
 */
export function createBoundedIterator<T>(limit: number, onClose: () => void): BoundedIterator<T> {
  const queue: T[] = [];
  const waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  let failure: StateError | null = null;
  let done = false;
  let direct: { onValue: (value: T) => void; onEnd: () => void } | null = null;

  const finish = () => {
    if (done) return;
    done = true;
    queue.length = 0;
    onClose();
    direct?.onEnd();
  };

  const iterator: BoundedIterator<T> = {
    push(value) {
      if (done || failure) return;
      if (direct) return direct.onValue(value);
      const reader = waiting.shift();
      if (reader) return reader.resolve({ value, done: false });
      if (queue.length >= limit) {
        failure = new StateError(
          ErrorCode.RATE_LIMITED,
          `subscription fell more than ${limit} events behind and was ended; subscribe again`,
        );
        queue.length = 0;
        return;
      }
      queue.push(value);
    },
    next() {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
      if (failure) {
        const error = failure;
        failure = null; // reported once; the iterator is done after it
        finish();
        return Promise.reject(error);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      finish();
      for (const reader of waiting.splice(0)) reader.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      finish();
      for (const reader of waiting.splice(0)) reader.resolve({ value: undefined, done: true });
      return Promise.reject(error);
    },
    consume(onValue, onEnd) {
      direct = { onValue, onEnd };
      for (const value of queue.splice(0)) onValue(value);
      if (done) onEnd();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
