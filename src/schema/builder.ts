import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Caller } from '../auth/caller.js';
import { ErrorCode, StateError } from '../errors.js';
import type { StateService } from '../state/service.js';

/** What every resolver receives. */
export interface Context {
  state: StateService;
  caller: Caller;
}

const fullAccess = (caller: Caller) => caller.kind !== 'user';

/** The builder only; types live in the domain files next to it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  AuthScopes: {
    /** Internal services (and every caller when the server runs open). */
    service: boolean;
    /** Any authenticated caller. */
    anyone: boolean;
    /** Services, and users whose token names this guild. */
    guild: string;
    /** Services, and the user with this id. */
    self: string;
  };
  Scalars: {
    ID: { Input: string; Output: string };
    /** Epoch milliseconds inside, ISO 8601 on the wire. */
    DateTime: { Input: number; Output: number };
    /** A study day, `YYYY-MM-DD`. */
    Date: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    // Subscriptions are checked when they are created, not per event.
    authorizeOnSubscribe: true,
    authScopes: ({ caller }) => ({
      service: fullAccess(caller),
      anyone: true,
      guild: (guildId) => fullAccess(caller) || (caller.kind === 'user' && caller.guildIds.has(guildId)),
      self: (userId) => fullAccess(caller) || (caller.kind === 'user' && caller.userId === userId),
    }),
    unauthorizedError: () => new StateError(ErrorCode.FORBIDDEN, 'this token may not use this field'),
  },
});
