import { badInput } from '../../errors.js';
import { sessionContent, toSession } from '../records.js';
import { decodeConnection, decodeConnectionRecords, decodePresenceSnapshot, decodeRecord, encodeContent } from './session-codec.js';
import { customStatusArgs } from '../status-args.js';
import { explainUser } from './explain.js';
import type { ConnectSessionInput, Session, SessionResult, UserConnection } from '../types.js';
import { itemOf, itemResult } from '../batch.js';
import { BATCH_CHUNK, batchArgs, inChunks } from '../lua-batch.js';
import { NEEDS_CALENDAR } from './calendar-args.js';
import { lines } from './context.js';
import type { StateEngine } from '../engine.js';
import { guard, type RedisContext } from './context.js';

/** Sessions, presence and snapshots of presence. */
export function redisSessions({ client, keyPrefix, keys, retention, calendarArg, ctxArgs, withCalendar }: RedisContext): Pick<
  StateEngine,
  | 'connectSession'
  | 'disconnectSession'
  | 'connectSessions'
  | 'disconnectSessions'
  | 'getSession'
  | 'connectionStates'
  | 'presenceSnapshot'
  | 'setUserStatus'
  | 'setSessionActivity'
  | 'presenceExplain'
> {
  type ConnectReply = [number, string | null, string];
  type DisconnectReply = [0] | [1, string, string, string] | [typeof NEEDS_CALENDAR, number];

  const connectKeys = (input: ConnectSessionInput) => [keys.user(input.userId), keys.session(input.sessionId)];
  const connectArgs = (input: ConnectSessionInput) => [input.userId, input.sessionId, encodeContent(sessionContent(input))];

  function connected(input: ConnectSessionInput, reply: ConnectReply): SessionResult {
    if (reply[0] === -1) throw badInput(`session ${input.sessionId} belongs to another user`);
    const [changed, record, connection] = reply;
    return {
      changed: changed === 1,
      // A CONNECT for a closed session (tombstone) opens nothing.
      session: record === null ? null : toSession(input.sessionId, input.userId, decodeRecord(record)),
      connection: decodeConnection(input.userId, connection),
    };
  }

  function disconnected(sessionId: string, reply: Exclude<DisconnectReply, [typeof NEEDS_CALENDAR, number]>): SessionResult {
    if (reply[0] === 0) return { changed: false, session: null, connection: null };
    const [, userId, record, connection] = reply;
    return { changed: true, session: toSession(sessionId, userId, decodeRecord(record)), connection: decodeConnection(userId, connection) };
  }

  const disconnectSession = (sessionId: string, now: number) =>
    guard(async () => {
      const reply = await withCalendar<Exclude<DisconnectReply, [typeof NEEDS_CALENDAR, number]>>(now, (cal) =>
        client.disconnectSession(keys.session(sessionId), keyPrefix, sessionId, ...ctxArgs(now, cal)),
      );
      return disconnected(sessionId, reply);
    });

  return {
    connectSession: (input, now) =>
      guard(async () => {
        const reply = (await client.connectSession(...connectKeys(input), keyPrefix, ...connectArgs(input), ...ctxArgs(now, calendarArg(now)))) as ConnectReply;
        return connected(input, reply);
      }),

    disconnectSession,

    // One script call per chunk, every chunk sent at once (one connection keeps them in order).
    connectSessions: (inputs, now) =>
      guard(() =>
        inChunks(inputs, BATCH_CHUNK, async (chunk) => {
          const items = chunk.map((input) => ({ keys: connectKeys(input), args: connectArgs(input) }));
          const replies = (await client.connectSessions(...batchArgs(items, [keyPrefix], ctxArgs(now, calendarArg(now))))) as ConnectReply[];
          return replies.map((reply, i) => itemOf(() => connected(chunk[i]!, reply)));
        }),
      ),

    disconnectSessions: (sessionIds, now) =>
      guard(async () => {
        const replies = await inChunks(sessionIds, BATCH_CHUNK, async (chunk) => {
          const items = chunk.map((sessionId) => ({ keys: [keys.session(sessionId)], args: [sessionId] }));
          return (await client.disconnectSessions(...batchArgs(items, [keyPrefix], ctxArgs(now, calendarArg(now))))) as DisconnectReply[];
        });
        // An item whose timer began before the usual calendar wrote nothing: it runs again alone with a calendar reaching it.
        return Promise.all(
          replies.map(async (reply, i) =>
            itemResult(reply[0] === NEEDS_CALENDAR ? await disconnectSession(sessionIds[i]!, now) : disconnected(sessionIds[i]!, reply)),
          ),
        );
      }),

    getSession: (sessionId) =>
      guard(async (): Promise<Session | null> => {
        const userId = await client.hget(keys.session(sessionId), sessionId);
        if (userId === null) return null;
        const record = await client.hget(keys.user(userId), `s:${sessionId}`);
        return record === null ? null : toSession(sessionId, userId, decodeRecord(record));
      }),

    connectionStates: (userIds) =>
      guard(async () => {
        if (userIds.length === 0) return { connections: [], guildIdsOf: () => [] };
        const reply = (await client.connectionStates(keyPrefix, userIds.join('\n'))) as string;
        const guilds: string[] = new Array(userIds.length);
        const connections = new Array<UserConnection>(userIds.length);
        decodeConnectionRecords(reply, userIds, connections, guilds);
        return { connections, guildIdsOf: (i: number) => lines(guilds[i]) };
      }),

    presenceSnapshot: (target) =>
      guard(async () => {
        const flat = (await ('guildId' in target
          ? client.presenceSnapshot(keys.guildOnline(target.guildId), keyPrefix)
          : client.presenceSnapshot('', keyPrefix, ...target.userIds))) as Array<string | number>;
        return decodePresenceSnapshot(flat);
      }),

    setUserStatus: (input, now) =>
      guard(async () => {
        const reply = (await client.setUserStatus(keys.user(input.userId), keys.statusExpiry(), keyPrefix, input.userId, input.status, ...customStatusArgs(input.customStatus), now, retention)) as string;
        return decodeConnection(input.userId, reply);
      }),

    presenceExplain: (userId) =>
      explainUser(client, userId, { user: keys.user(userId), pendingOffline: keys.pendingOffline(), nodes: keys.nodes(), tombstone: keys.tombstone }),

    setSessionActivity: (sessionId, activity, now) =>
      guard(async () => {
        const reply = (await client.setSessionActivity(keys.session(sessionId), keyPrefix, sessionId, activity === 'IDLE' ? 'i' : '', now)) as [number, string?, string?, string?];
        if (reply.length === 1) return { changed: false, session: null, connection: null };
        const [changed, userId, record, connection] = reply as [number, string, string, string];
        return { changed: changed === 1, session: toSession(sessionId, userId, decodeRecord(record)), connection: decodeConnection(userId, connection) };
      }),

  };
}
