/**
 * The operations the examples send, as typed documents: each carries its
 * result and variables types, so a client call with wrong variables or a
 * read of a field the operation does not select fails to compile.
 * `test/e2e/examples.test.ts` validates them against schema.graphql.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';

const typed = <Result, Variables>(source: string) => parse(source) as TypedDocumentNode<Result, Variables>;

export type PresenceState = 'ONLINE' | 'OFFLINE';

export interface SessionInput {
  sessionId: string;
  userId: string;
  guildIds?: string[];
  roomId?: string | null;
  nodeId?: string | null;
}

export const ConnectSession = typed<
  { connectSession: { changed: boolean; connection: { state: PresenceState; sessionCount: number } } },
  { input: SessionInput }
>(`mutation ConnectSession($input: ConnectSessionInput!) {
  connectSession(input: $input) { changed connection { state sessionCount } }
}`);

export const DisconnectSession = typed<
  { disconnectSession: { changed: boolean; connection: { state: PresenceState; lastSeenAt: string | null } | null } },
  { sessionId: string }
>(`mutation DisconnectSession($sessionId: ID!) {
  disconnectSession(sessionId: $sessionId) { changed connection { state lastSeenAt } }
}`);

export const Heartbeat = typed<{ heartbeat: { resync: boolean; expiresAt: string } }, { nodeId: string; ttlSeconds: number }>(
  `mutation Heartbeat($nodeId: ID!, $ttlSeconds: Int) { heartbeat(nodeId: $nodeId, ttlSeconds: $ttlSeconds) { resync expiresAt } }`,
);

export const SyncNodeSessions = typed<
  { syncNodeSessions: { opened: number; closed: number; unchanged: number; refused: string[] } },
  { input: { nodeId: string; sessions: Array<Omit<SessionInput, 'nodeId'>> } }
>(`mutation SyncNodeSessions($input: SyncNodeSessionsInput!) {
  syncNodeSessions(input: $input) { opened closed unchanged refused }
}`);

export interface PresenceEvent {
  userId: string;
  state: PresenceState;
  sessionCount: number;
  snapshot: boolean;
}

export const GuildPresence = typed<{ presenceChanged: PresenceEvent }, { guildId: string }>(
  `subscription GuildPresence($guildId: ID!) {
  presenceChanged(guildId: $guildId, includeSnapshot: true) { userId state sessionCount snapshot }
}`,
);
