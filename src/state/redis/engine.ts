import { Redis } from 'ioredis';
import { StateError, badInput, stateUnavailable } from '../../errors.js';
import type { EngineOptions, StateEngine } from '../engine.js';
import { groupChannels, sessionContent, toConnection, toSession, voiceChange, type SessionRecord } from '../records.js';
import type { Session, VoiceChange } from '../types.js';
import { createKeys } from './keys.js';
import { defineScripts } from './scripts.js';

// Replies Redis gives while it cannot serve; anything else from Redis is a bug.
const transientReply = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN|NOSCRIPT)/;

/** Maps a failed Redis call to STATE_UNAVAILABLE unless it is our own error or a script bug. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StateError) throw error;
    const isReply = error instanceof Error && error.name === 'ReplyError';
    if (isReply && !transientReply.test(error.message)) throw error;
    throw stateUnavailable();
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface RedisEngineOptions extends EngineOptions {
  /** Command client; it should fail fast (no offline queue). */
  client: Redis;
  keyPrefix: string;
}

/** The production engine: every change is one Lua script, so concurrent events never lose an update. */
export function createRedisEngine({ client, keyPrefix, presenceRetentionSeconds }: RedisEngineOptions): StateEngine {
  defineScripts(client);
  const keys = createKeys(keyPrefix);
  const retention = presenceRetentionSeconds;

  return {
    connectSession: (input, now) =>
      guard(async () => {
        const reply = (await client.connectSession(
          keys.user(input.userId),
          keys.session(input.sessionId),
          keyPrefix,
          input.userId,
          input.sessionId,
          JSON.stringify(sessionContent(input)),
          now,
        )) as [number, string, number, string | null, string | null];
        if (reply[0] === -1) throw badInput(`session ${input.sessionId} belongs to another user`);
        const [changed, record, count, room, last] = reply;
        return {
          changed: changed === 1,
          session: toSession(input.sessionId, input.userId, JSON.parse(record) as SessionRecord),
          connection: toConnection(input.userId, Number(count), room, num(last)),
        };
      }),

    disconnectSession: (sessionId, now) =>
      guard(async () => {
        const reply = (await client.disconnectSession(keys.session(sessionId), keyPrefix, sessionId, now, retention)) as
          | [0]
          | [1, string, string, number, string | null, string | null];
        if (reply[0] === 0) return { changed: false, session: null, connection: null };
        const [, userId, record, count, room, last] = reply;
        return {
          changed: true,
          session: toSession(sessionId, userId, JSON.parse(record) as SessionRecord),
          connection: toConnection(userId, Number(count), room, num(last)),
        };
      }),

    getSession: (sessionId) =>
      guard(async (): Promise<Session | null> => {
        const userId = await client.get(keys.session(sessionId));
        if (userId === null) return null;
        const record = await client.hget(keys.user(userId), `s:${sessionId}`);
        return record === null ? null : toSession(sessionId, userId, JSON.parse(record) as SessionRecord);
      }),

    connectionStates: (userIds) =>
      guard(async () => {
        if (userIds.length === 0) return [];
        const pipeline = client.pipeline();
        for (const userId of userIds) pipeline.hmget(keys.user(userId), 'n', 'room', 'last');
        const replies = (await pipeline.exec()) ?? [];
        return userIds.map((userId, i) => {
          const [error, fields] = replies[i] ?? [new Error('missing reply'), null];
          if (error) throw error;
          const [count, room, last] = fields as [string | null, string | null, string | null];
          return toConnection(userId, Number(count ?? 0), str(room), num(last));
        });
      }),

    joinVoice: (input, now) =>
      guard(async () => {
        const [changed, type, previous] = (await client.joinVoice(
          keys.user(input.userId),
          keys.voice(input.guildId),
          keyPrefix,
          input.userId,
          input.guildId,
          input.channelId,
          now,
        )) as [number, VoiceChange | null, string | null];
        return voiceChange(input, now, changed === 1 ? type : null, previous);
      }),

    leaveVoice: (input, now) =>
      guard(async () => {
        const [changed] = (await client.leaveVoice(
          keys.user(input.userId),
          keys.voice(input.guildId),
          keyPrefix,
          input.userId,
          input.guildId,
          input.channelId,
          now,
          retention,
        )) as [number];
        return voiceChange(input, now, changed === 1 ? 'LEFT' : null);
      }),

    channelStates: (guildId) =>
      guard(async () => groupChannels(guildId, Object.entries(await client.hgetall(keys.voice(guildId))))),

    ping: () =>
      guard(async () => {
        await client.ping();
      }),

    close: async () => {
      // The app owns the client; nothing engine-specific to release.
    },
  };
}

