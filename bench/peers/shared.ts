/**
 * What every peer shares: the connect mutation's SDL and the one Lua script
 * (minimal-connect.lua) each calls, so the peers differ only in their HTTP
 * and GraphQL layers. A peer prints `READY <port>` (bench/lib.ts startChild).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

export const typeDefs = `
  type Query { ok: Boolean }
  input ConnectSessionInput { sessionId: ID!, userId: ID!, guildIds: [ID!], roomId: ID, nodeId: ID }
  type SessionResult { changed: Boolean! }
  type Mutation { connectSession(input: ConnectSessionInput!): SessionResult! }
`;

export interface ConnectInput {
  sessionId: string;
  userId: string;
  guildIds?: string[] | null;
}

const prefix = process.env.KEY_PREFIX ?? 'peer:';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
redis.defineCommand('minimalConnect', { lua: readFileSync(new URL('./minimal-connect.lua', import.meta.url), 'utf8') });
const script = (redis as unknown as { minimalConnect: (...args: Array<string | number>) => Promise<number> }).minimalConnect.bind(redis);

/** The connect every peer runs: one EVALSHA. */
export async function connect({ sessionId, userId, guildIds }: ConnectInput): Promise<{ changed: boolean }> {
  const guilds = guildIds ?? [];
  const keys = [`${prefix}user:{${userId}}`, `${prefix}sessions:{${sessionId}}`, ...guilds.map((g) => `${prefix}guild:{${g}}:online`)];
  await script(keys.length, ...keys, userId, sessionId, Date.now(), prefix, ...guilds);
  return { changed: true };
}

export const ready = (server: Server) => console.log(`READY ${(server.address() as AddressInfo).port}`);
