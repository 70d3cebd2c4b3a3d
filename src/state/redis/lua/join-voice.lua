-- Puts a user in a voice channel. A user is in at most one channel: joining
-- another channel of the same guild is one MOVED event; joining a channel of
-- another guild is LEFT there and JOINED here.
-- KEYS[1] user hash     KEYS[2] guild voice hash (userId -> channelId)
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] guildId    ARGV[4] channelId
-- ARGV[5] now (epoch ms)
-- Returns {changed 0|1, type|false, previousChannelId|false}.

local ukey, vkey, uid, gid, cid, now = KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local current = redis.call('HMGET', ukey, 'vg', 'vc')
local vg, vc = current[1], current[2]

if vg == gid and vc == cid then return { 0, false, false } end

if vg == gid then
  redis.call('HSET', vkey, uid, cid)
  redis.call('HSET', ukey, 'vc', cid)
  publish_voice('MOVED', gid, cid, vc, uid, now)
  return { 1, 'MOVED', vc }
end

if vg then end_voice(ukey, uid, vg, vc, now) end
redis.call('HSET', vkey, uid, cid)
redis.call('HSET', ukey, 'vg', gid, 'vc', cid)
-- Voice state is live state: it must not expire with an offline user's record.
redis.call('PERSIST', ukey)
publish_voice('JOINED', gid, cid, false, uid, now)
return { 1, 'JOINED', false }
