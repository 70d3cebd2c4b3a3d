-- Puts a user in a voice channel. A user is in at most one channel: joining
-- another channel of the same guild is one MOVED event; joining a channel of
-- another guild is LEFT there and JOINED here. An event whose source time is
-- older than the last one applied for the user is ignored.
-- KEYS[1] user hash     KEYS[2] guild voice hash (userId -> channelId)
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] guildId    ARGV[4] channelId
-- ARGV[5] now (epoch ms)                  ARGV[6] source time (epoch ms) or ''
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the guild's voice version, and the previous guild's voice hash and
--   version (read from KEYS[1]); voice channels.
-- Returns {changed 0|1, type|false, previousChannelId|false, version|false}.

local ukey, vkey, uid, gid, cid, now, at = KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

local current = redis.call('HMGET', ukey, 'vg', 'vc', 'vt')
local vg, vc, vt = current[1], current[2], current[3]
if at ~= '' and vt and tonumber(at) < tonumber(vt) then return { 0, false, false, false } end
if at ~= '' then redis.call('HSET', ukey, 'vt', at) end

if vg == gid and vc == cid then return { 0, false, false, false } end

if vg == gid then
  redis.call('HSET', vkey, uid, cid)
  redis.call('HSET', ukey, 'vc', cid)
  return { 1, 'MOVED', vc, publish_voice('MOVED', gid, cid, vc, uid, now) }
end

if vg then end_voice(ukey, uid, vg, vc, now) end
redis.call('HSET', vkey, uid, cid)
redis.call('HSET', ukey, 'vg', gid, 'vc', cid)
-- Voice state is live state: it must not expire with an offline user's record.
redis.call('PERSIST', ukey)
return { 1, 'JOINED', false, publish_voice('JOINED', gid, cid, false, uid, now) }
