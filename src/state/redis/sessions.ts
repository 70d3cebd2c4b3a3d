import { badInput } from '../../errors.js';
import { sessionContent, toConnection, toSession } from '../records.js';
import { decodeConnectionRecords, decodePresenceSnapshot, decodeRecord, encodeContent } from './session-codec.js';
import type { Session, UserConnection } from '../types.js';
import { lines, num } from './context.js';
import type { StateEngine } from '../engine.js';
import { guard, type RedisContext } from './context.js';

/** Sessions, presence and snapshots of presence. */
export function redisSessions({ client, keyPrefix, keys, calendarArg, ctxArgs, withCalendar }: RedisContext): Pick<
  StateEngine,
  'connectSession' | 'disconnectSession' | 'getSession' | 'connectionStates' | 'presenceSnapshot'
> {
  return {
    connectSession: (input, now) =>
      guard(async () => {
        const reply = (await client.connectSession(
          keys.user(input.userId),
          keys.session(input.sessionId),
          keyPrefix,
          input.userId,
          input.sessionId,
          encodeContent(sessionContent(input)),
          ...ctxArgs(now, calendarArg(now)),
        )) as [number, string | null, number, string | null, string | null, number];
        if (reply[0] === -1) throw badInput(`session ${input.sessionId} belongs to another user`);
        const [changed, record, count, room, last, pending] = reply;
        return {
          changed: changed === 1,
          // A CONNECT for a closed session (tombstone) opens nothing.
          session: record === null ? null : toSession(input.sessionId, input.userId, decodeRecord(record)),
          connection: toConnection(input.userId, Number(count), room, num(last), pending === 1),
        };
      }),

    disconnectSession: (sessionId, now) =>
      guard(async () => {
        const reply = await withCalendar<[0] | [1, string, string, number, string | null, string | null, number]>(now, (cal) =>
          client.disconnectSession(keys.session(sessionId), keyPrefix, sessionId, ...ctxArgs(now, cal)),
        );
        if (reply[0] === 0) return { changed: false, session: null, connection: null };
        const [, userId, record, count, room, last, pending] = reply;
        return {
          changed: true,
          session: toSession(sessionId, userId, decodeRecord(record)),
          connection: toConnection(userId, Number(count), room, num(last), pending === 1),
        };
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

  };
}
