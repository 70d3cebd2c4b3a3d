import { connectionAuthorization, type Authenticate } from '../auth/authenticate.js';
import { callerName, type Caller } from '../auth/caller.js';
import { rateLimited } from '../rate-limit/limiter.js';
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import type { Context } from '../schema/builder.js';
import type { StateRuntime } from '../state/create-state.js';

/** What yoga hands the context factory: HTTP requests carry a Request, WebSocket operations their connectionParams. */
export interface InitialContext {
  request?: Request;
  /** The Node request: yoga passes it, and so does the HTTP fast path (which has no Fetch Request). */
  req?: { headers: { authorization?: string } };
  connectionParams?: Record<string, unknown>;
}

/**
 * Builds each operation's context: authenticates the token of this very
 * operation (so an expired token cannot open new subscriptions on an old
 * socket) and counts it against the caller's rate limit.
 */
export function createContextFactory(authenticate: Authenticate, state: StateRuntime, limits: Limits, clock: Clock) {
  const limitOf = (caller: Caller) =>
    caller.kind === 'user' ? limits.userRequestsPerMinute : caller.kind === 'service' ? limits.serviceRequestsPerMinute : 0;

  return async (initial: InitialContext): Promise<Context> => {
    const authorization = initial.connectionParams
      ? connectionAuthorization(initial.connectionParams)
      : (initial.request?.headers.get('authorization') ?? initial.req?.headers.authorization);
    const caller = await authenticate(authorization);
    const limit = limitOf(caller);
    const now = clock.now();
    if (limit > 0 && (await state.rateLimiter.hit(callerName(caller), now)) > limit) throw rateLimited(now);
    return { state: state.service, caller };
  };
}
