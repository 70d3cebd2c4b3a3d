import { ErrorCode, StateError } from '../errors.js';

export interface BoundedIterator<T> extends AsyncIterableIterator<T> {
  /** Queues a value; past the limit the consumer is cut off with RATE_LIMITED. */
  push(value: T): void;
  /**
   * Ends the iterator with `error`: a direct consumer's `onEnd` gets it, a
   * reader's next read rejects with it. Its subscription is released at once.
   */
  fail(error: StateError): void;
  /** Whether it has ended (returned, failed or cut off): pushing to it does nothing. */
  readonly ended: boolean;
  /**
   * Hands every value to `onValue` as it is pushed, instead of queueing it
   * for next(): for a consumer that sends synchronously (the shared
   * subscription fan-out), this saves a promise per event. `onEnd` runs once
   * when the iterator ends, with the error that ended it, if any.
   */
  consume(onValue: (value: T) => void, onEnd: (error?: StateError) => void): void;
}

/** A reader that has queued values is made to wait for a macrotask this often, so it cannot hold the event loop. */
const YIELD_EVERY = 32;

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
  let served = 0;
  let direct: { onValue: (value: T) => void; onEnd: (error?: StateError) => void } | null = null;

  const finish = (error?: StateError) => {
    if (done) return;
    done = true;
    queue.length = 0;
    onClose();
    if (direct) return direct.onEnd(error);
    if (!error) return;
    const reader = waiting.shift();
    if (reader) reader.reject(error);
    else failure = error; // the next read reports it
    for (const other of waiting.splice(0)) other.resolve({ value: undefined, done: true });
  };

  const iterator: BoundedIterator<T> = {
    get ended() {
      return done;
    },
    push(value) {
      if (done) return;
      if (direct) return direct.onValue(value);
      const reader = waiting.shift();
      if (reader) return reader.resolve({ value, done: false });
      if (queue.length >= limit) {
        return finish(new StateError(ErrorCode.RATE_LIMITED, `subscription fell more than ${limit} events behind and was ended; subscribe again`));
      }
      queue.push(value);
    },
    fail: (error) => finish(error),
    next() {
      if (queue.length > 0) {
        const value = queue.shift() as T;
        // A promise chain that finds values waiting would drain them all in
        // one microtask run, starving I/O: make every 32nd read wait a turn.
        if (++served % YIELD_EVERY === 0) return new Promise((resolve) => setImmediate(() => resolve({ value, done: false })));
        return Promise.resolve({ value, done: false });
      }
      if (failure) {
        const error = failure;
        failure = null; // reported once; the iterator is done after it
        return Promise.reject(error);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      finish();
      failure = null;
      for (const reader of waiting.splice(0)) reader.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      finish();
      failure = null;
      for (const reader of waiting.splice(0)) reader.resolve({ value: undefined, done: true });
      return Promise.reject(error);
    },
    consume(onValue, onEnd) {
      direct = { onValue, onEnd };
      for (const value of queue.splice(0)) onValue(value);
      if (done) {
        const error = failure ?? undefined;
        failure = null;
        onEnd(error);
      }
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
