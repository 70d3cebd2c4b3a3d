import type { Redis } from 'ioredis';
import { RATE_WINDOW_MS, type RateLimiter } from '../../auth/rate-limit.js';
import { stateUnavailable } from '../../errors.js';
import { createKeys } from './keys.js';
import { defineScripts } from './scripts.js';

/** Counters in Redis, so a caller's limit holds across every instance. */
export function createRedisRateLimiter(client: Redis, keyPrefix: string): RateLimiter {
  defineScripts(client);
  const keys = createKeys(keyPrefix);
  return {
    async hit(caller, now) {
      const window = Math.floor(now / RATE_WINDOW_MS);
      try {
        return Number(await client.rateLimit(keys.rateLimit(caller, window), keyPrefix, RATE_WINDOW_MS));
      } catch {
        // Counted before the operation runs: the operation itself was not applied.
        throw stateUnavailable(false);
      }
    },
  };
}
