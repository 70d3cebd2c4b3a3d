import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { luaPayloads } from '../../src/state/redis/payloads.js';
import { redisUrl } from '../utils/engines.js';

const util = readFileSync(new URL('../../src/state/redis/lua/lib/util.lua', import.meta.url), 'utf8');

describe.skipIf(!redisUrl)('event payloads generated from payloads.ts', () => {
  const redis = new Redis(redisUrl ?? '');
  afterAll(() => redis.disconnect());

  it('write, in Redis, exactly the events the TypeScript types describe', async () => {
    const odd = 'ü "quoted" / back\\slash ☃';
    const script = `${util}\n${luaPayloads()}
local head, tail = voice_payload_parts({ type = 'MOVED', guildId = ARGV[1], channelId = 'c2', previousChannelId = false, userId = 'u1', at = '1795402800000' })
return {
  presence_payload({ userId = ARGV[1], state = 'ONLINE', previousState = 'OFFLINE', sessionCount = 2, guildIds = { 'g1', ARGV[1] }, at = 1795402800000, version = 7 }),
  presence_payload({ userId = 'u1', state = 'OFFLINE', previousState = 'ONLINE', sessionCount = 0, guildIds = {}, at = 1, version = 8 }),
  head .. 42 .. tail,
  study_payload({ userId = 'u1', day = '2026-12-03', seconds = 86400, running = false }),
  room_out_payload({ roomId = ARGV[1], userId = 'u1', at = 5 }),
  day_closed_payload({ day = '2026-12-03', users = 50000, totalSeconds = 4320000000 }),
}`;
    const replies = ((await redis.eval(script, 0, odd)) as string[]).map((text) => JSON.parse(text) as unknown);
    expect(replies).toEqual([
      { userId: odd, state: 'ONLINE', previousState: 'OFFLINE', sessionCount: 2, guildIds: ['g1', odd], at: 1795402800000, version: 7, snapshot: false },
      { userId: 'u1', state: 'OFFLINE', previousState: 'ONLINE', sessionCount: 0, guildIds: [], at: 1, version: 8, snapshot: false },
      { changed: true, type: 'MOVED', guildId: odd, channelId: 'c2', previousChannelId: null, userId: 'u1', at: 1795402800000, version: 42, snapshot: false },
      { userId: 'u1', day: '2026-12-03', seconds: 86400, running: false },
      { type: 'ROOM_OUT', roomId: odd, userId: 'u1', targetUserId: null, alertCount: null, message: null, at: 5 },
      { day: '2026-12-03', users: 50000, totalSeconds: 4320000000 },
    ]);
  });
});
