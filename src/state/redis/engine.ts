import type { StateEngine } from '../engine.js';
import { createRedisContext, guard, type RedisEngineOptions } from './context.js';
import { redisNodes } from './nodes.js';
import { redisRooms } from './rooms.js';
import { defineScripts } from './scripts.js';
import { redisSessions } from './sessions.js';
import { redisStudy } from './study.js';
import { redisVoice } from './voice.js';
import { redisMembers } from './members.js';

export type { RedisEngineOptions };

/** The production engine: every change is one Lua script, so concurrent events never lose an update. */
export function createRedisEngine(options: RedisEngineOptions): StateEngine {
  defineScripts(options.client, options.replicaAcks ?? null, options.resume);
  const ctx = createRedisContext(options);
  return {
    ...redisSessions(ctx),
    ...redisVoice(ctx),
    ...redisMembers(ctx),
    ...redisNodes(ctx),
    ...redisStudy(ctx),
    ...redisRooms(ctx),
    ping: () =>
      guard(async () => {
        await options.client.ping();
      }),
    close: async () => {
      // The app owns the client; nothing engine-specific to release.
    },
  };
}
