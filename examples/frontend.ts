/**
 * A front end watching who is online in a guild: the subscription starts
 * with a snapshot of the members online now, then one event per change.
 *
 *   STATE_SERVER_WS=ws://localhost:4000/graphql npx tsx examples/frontend.ts
 */
import { createClient, type Client } from 'graphql-ws';
import { print } from 'graphql';
import WebSocket from 'ws';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { GuildPresence, type PresenceEvent } from './documents.js';

export interface GuildWatch {
  /** Members online now, kept up to date by the events. */
  readonly online: ReadonlySet<string>;
  stop(): Promise<void>;
}

export function watchGuild(wsUrl: string, guildId: string, onEvent: (event: PresenceEvent) => void, token?: string): GuildWatch {
  const client: Client = createClient({
    url: wsUrl,
    // In a browser the global WebSocket is used; Node needs an implementation.
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  const online = new Set<string>();
  const variables: VariablesOf<typeof GuildPresence> = { guildId };
  const dispose = client.subscribe<ResultOf<typeof GuildPresence>>(
    { query: print(GuildPresence), variables: { ...variables } },
    {
      next: ({ data }) => {
        const event = data?.presenceChanged;
        if (!event) return;
        if (event.state === 'ONLINE') online.add(event.userId);
        else online.delete(event.userId);
        onEvent(event);
      },
      error: (error) => console.error('presence subscription failed', error),
      complete: () => {},
    },
  );
  return {
    online,
    async stop() {
      dispose();
      await client.dispose();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  watchGuild(process.env.STATE_SERVER_WS ?? 'ws://localhost:4000/graphql', '7', (e) => console.log(e), process.env.USER_TOKEN);
}
