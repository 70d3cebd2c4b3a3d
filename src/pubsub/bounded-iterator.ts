import { ErrorCode, StateError } from '../errors.js';

/** A reader that has queued values is made to wait for a macrotask this often, so it cannot hold the event loop. */
const YIELD_EVERY = 32;

type Reader<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

/** Takes an iterator's values as they are pushed (see `consume`). */
export interface Consumer<T> {
  onValue(value: T): void;
  /** Once, when the iterator ends; with the error that ended it, if any. */
  onEnd(error?: StateError): void;
}

/**
 * An async iterator over a bounded queue. Unlike an unbounded one, a client
 * that stops reading cannot make the server hold events without limit: once
 * `limit` values wait, the queue is dropped and the next read fails, so the
 * client knows to resubscribe instead of silently missing events.
 *
 * A class, not a closure per method: every idle subscription holds one, and
 * each closure costs memory (under tsx, with a property array for its name).
 */
export class BoundedIterator<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiting: Array<Reader<T>> = [];
  private failure: StateError | null = null;
  private done = false;
  private served = 0;
  private consumer: Consumer<T> | null = null;

  constructor(
    private readonly limit: number,
    private readonly onClose: () => void,
  ) {}

  /** Whether it has ended (returned, failed or cut off): pushing to it does nothing. */
  get ended(): boolean {
    return this.done;
  }

  /** Queues a value; past the limit the consumer is cut off with RATE_LIMITED. */
  push(value: T): void {
    if (this.done) return;
    if (this.consumer) return this.consumer.onValue(value);
    const reader = this.waiting.shift();
    if (reader) return reader.resolve({ value, done: false });
    if (this.queue.length >= this.limit) {
      return this.finish(
        new StateError(ErrorCode.RATE_LIMITED, `subscription fell more than ${this.limit} events behind and was ended; subscribe again`),
      );
    }
    this.queue.push(value);
  }

  /**
   * Ends the iterator with `error`: a direct consumer's `onEnd` gets it, a
   * reader's next read rejects with it. Its subscription is released at once.
   */
  fail(error: StateError): void {
    this.finish(error);
  }

  /**
   * Hands every value to the consumer as it is pushed, instead of queueing
   * it for next(): for a consumer that sends synchronously (the shared
   * subscription fan-out), this saves a promise per event.
   */
  consume(consumer: Consumer<T>): void {
    this.consumer = consumer;
    for (const value of this.queue.splice(0)) consumer.onValue(value);
    if (this.done) {
      const error = this.failure ?? undefined;
      this.failure = null;
      consumer.onEnd(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as T;
      // A promise chain that finds values waiting would drain them all in
      // one microtask run, starving I/O: make every 32nd read wait a turn.
      if (++this.served % YIELD_EVERY === 0) return new Promise((resolve) => setImmediate(() => resolve({ value, done: false })));
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const error = this.failure;
      this.failure = null; // reported once; the iterator is done after it
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    this.failure = null;
    for (const reader of this.waiting.splice(0)) reader.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(error?: StateError) {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.onClose();
    if (this.consumer) return this.consumer.onEnd(error);
    if (!error) return;
    const reader = this.waiting.shift();
    if (reader) reader.reject(error);
    else this.failure = error; // the next read reports it
    for (const other of this.waiting.splice(0)) other.resolve({ value: undefined, done: true });
  }
}

export function createBoundedIterator<T>(limit: number, onClose: () => void): BoundedIterator<T> {
  return new BoundedIterator<T>(limit, onClose);
}
