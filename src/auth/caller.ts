/** Who is calling, decided once per operation from its token. */
export type Caller =
  /** No auth settings (outside production only): full access. */
  | { kind: 'open' }
  /** An internal service with a service token: full access. */
  | { kind: 'service'; name: string }
  /** A front end with a user token: its own data and its guilds only. */
  | { kind: 'user'; userId: string; guildIds: ReadonlySet<string> };

/** What a caller may see of other users; null for callers that see everything. */
export interface Viewer {
  userId: string;
  guildIds: ReadonlySet<string>;
}

export const viewerOf = (caller: Caller): Viewer | null => (caller.kind === 'user' ? caller : null);

/** A name for logs and rate limits; never the token. */
export const callerName = (caller: Caller) =>
  caller.kind === 'service' ? `service:${caller.name}` : caller.kind === 'user' ? `user:${caller.userId}` : 'open';
