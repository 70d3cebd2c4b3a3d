import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/state/redis/keys.js';
import { luaNames } from '../../src/state/redis/names.js';
import { luaPayloads } from '../../src/state/redis/payloads.js';
import { topics } from '../../src/state/topics.js';
import { redisUrl } from '../utils/engines.js';

const lib = (file: string) => readFileSync(new URL(`../../src/state/redis/lua/lib/${file}`, import.meta.url), 'utf8');
const util = lib('util.lua');

describe.skipIf(!redisUrl)('Lua generated from names.ts and payloads.ts', () => {
  const redis = new Redis(redisUrl ?? '');
  afterAll(() => redis.disconnect());

  it('builds in Redis exactly the key and channel names keys.ts and topics.ts render', async () => {
    const prefix = 't:{x}:';
    const keys = createKeys(prefix);
    const ids = ['u1', 'ü ☃', 'a{b}c', 's-123456'];
    const script = `${lib('keys.lua')}\n${luaNames()}
local out = {}
for i = 2, #ARGV do
  local a = ARGV[i]
  for _, v in ipairs({ user_key(a), session_key(a), voice_key(a), voice_version_key(a), online_key(a), tomb_key(a),
    node_bucket_key(a, bucket_of(a, NODE_BUCKETS)), lock_key(a), totals_key(a), members_key(a), closed_key(a), room_event_key(a, a),
    presence_user_channel(a), presence_guild_channel(a), voice_guild_channel(a), room_channel(a), study_user_channel(a) }) do
    out[#out + 1] = v
  end
end
for _, v in ipairs({ NODES, UNLEASED, PENDING, timers_key(), DAY_CLOSED_CHANNEL }) do out[#out + 1] = v end
return out`;
    const expected = ids.flatMap((a) => [
      keys.user(a),
      keys.session(a),
      keys.voice(a),
      keys.voiceVersion(a),
      keys.guildOnline(a),
      keys.tombstone(a),
      keys.nodeSessions(a, a),
      keys.lock(a),
      keys.studyTotals(a),
      keys.studyMembers(a),
      keys.studyClosed(a),
      keys.roomEvent(a, a),
      topics.presenceUser(a).name,
      topics.presenceGuild(a).name,
      topics.voiceGuild(a).name,
      topics.room(a).name,
      topics.studyUser(a).name,
    ]);
    expected.push(keys.nodes(), keys.unleasedSessions(), keys.pendingOffline(), keys.studyTimers(), topics.studyDayClosed().name);
    expect(await redis.eval(script, 0, prefix, ...ids)).toEqual(expected);
  });

  it('write, in Redis, exactly the events the TypeScript types describe', async () => {
    const odd = 'ü "quoted" / back\\slash ☃';
    const script = `${util}\n${luaPayloads()}
local head, tail = voice_payload_parts({ type = 'MOVED', guildId = ARGV[1], channelId = 'c2', previousChannelId = false, userId = 'u1', at = '1795402800000' })
return {
  presence_payload({ userId = ARGV[1], state = 'ONLINE', previousState = 'OFFLINE', status = 'DND', previousStatus = 'OFFLINE',
    platforms = { 'DESKTOP', 'WEB' }, customStatus = '{"text":"x","emoji":null,"expiresAt":null}', sessionCount = 2, guildIds = { 'g1', ARGV[1] }, at = 1795402800000, version = 7 }),
  presence_payload({ userId = 'u1', state = 'OFFLINE', previousState = 'ONLINE', status = 'OFFLINE', previousStatus = 'IDLE',
    platforms = {}, customStatus = 'null', sessionCount = 0, guildIds = {}, at = 1, version = 8 }),
  head .. 42 .. tail,
  study_payload({ userId = 'u1', day = '2026-12-03', seconds = 86400, running = false }),
  room_out_payload({ roomId = ARGV[1], userId = 'u1', at = 5 }),
  day_closed_payload({ day = '2026-12-03', users = 50000, totalSeconds = 4320000000 }),
}`;
    const replies = ((await redis.eval(script, 0, odd)) as string[]).map((text) => JSON.parse(text) as unknown);
    expect(replies).toEqual([
      {
        userId: odd, state: 'ONLINE', previousState: 'OFFLINE', status: 'DND', previousStatus: 'OFFLINE', platforms: ['DESKTOP', 'WEB'],
        customStatus: { text: 'x', emoji: null, expiresAt: null }, sessionCount: 2, guildIds: ['g1', odd], at: 1795402800000, version: 7, snapshot: false, position: null,
      },
      {
        userId: 'u1', state: 'OFFLINE', previousState: 'ONLINE', status: 'OFFLINE', previousStatus: 'IDLE', platforms: [],
        customStatus: null, sessionCount: 0, guildIds: [], at: 1, version: 8, snapshot: false, position: null,
      },
      { changed: true, type: 'MOVED', guildId: odd, channelId: 'c2', previousChannelId: null, userId: 'u1', at: 1795402800000, version: 42, snapshot: false, position: null },
      { userId: 'u1', day: '2026-12-03', seconds: 86400, running: false },
      { type: 'ROOM_OUT', roomId: odd, userId: 'u1', targetUserId: null, alertCount: null, message: null, at: 5 },
      { day: '2026-12-03', users: 50000, totalSeconds: 4320000000 },
    ]);
  });
});
