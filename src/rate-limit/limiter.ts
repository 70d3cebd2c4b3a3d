// Rate limiting lives here whole: the limit rule, the 429 error, and both
// counters (this file in memory, redis.ts across instances).
import type { Clock } from '../clock.js';
import { ErrorCode, StateError } from '../errors.js';

/** Counts operations per caller in fixed one-minute windows. */
export interface RateLimiter {
  /** Resolves with the caller's count in the current window, this operation included. */
  hit(caller: string, now: number): Promise<number>;
}

export const RATE_WINDOW_MS = 60_000;

/** Over the limit at `now`: HTTP 429 with Retry-After, the seconds until the window ends (also in `retryAfterSeconds`). */
export const rateLimited = (now: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil((RATE_WINDOW_MS - (now % RATE_WINDOW_MS)) / 1000));
  const error = new StateError(ErrorCode.RATE_LIMITED, `too many requests; retry in ${retryAfterSeconds} s`);
  Object.assign(error.extensions, { retryAfterSeconds, http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } } });
  return error;
};

/** One process's counters, for the memory engine. */
export function createMemoryRateLimiter(clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let sweptAt = 0;
  return {
    async hit(caller, now) {
      if (now - sweptAt > RATE_WINDOW_MS) {
        for (const [key, w] of windows) if (now - w.start >= RATE_WINDOW_MS) windows.delete(key);
        sweptAt = clock.now();
      }
      const window = windows.get(caller);
      if (!window || now - window.start >= RATE_WINDOW_MS) {
        windows.set(caller, { start: now - (now % RATE_WINDOW_MS), count: 1 });
        return 1;
      }
      window.count += 1;
      return window.count;
    },
  };
}
