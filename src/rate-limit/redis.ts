import type { Cluster, Redis, Result } from 'ioredis';
import { stateUnavailable } from '../errors.js';
import { RATE_WINDOW_MS, type RateLimiter } from './limiter.js';

// Counts one operation of a caller in the current fixed window.
// KEYS[1] the caller's counter for this window    ARGV[1] window length (ms)
// Returns the count in this window, this operation included.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateLimitHit(key: string, windowMs: number): Result<number, Context>;
  }
}

/** Counters in Redis, so a caller's limit holds across every instance. */
export function createRedisRateLimiter(client: Redis | Cluster, keyPrefix: string): RateLimiter {
  client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT });
  // The caller is the hash tag: one counter, one slot.
  const key = (caller: string, window: number) => `${keyPrefix}rate:{${caller}}:${window}`;
  return {
    async hit(caller, now) {
      const window = Math.floor(now / RATE_WINDOW_MS);
      try {
        return Number(await client.rateLimitHit(key(caller, window), RATE_WINDOW_MS));
      } catch {
        // Counted before the operation runs: the operation itself was not applied.
        throw stateUnavailable(false);
      }
    },
  };
}
