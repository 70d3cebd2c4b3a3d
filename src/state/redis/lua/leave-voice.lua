-- Takes a user out of a voice channel; leaving a channel one is not in, or
-- an event older than the last one applied for the user, is a no-op.
-- KEYS[1] user hash     KEYS[2] guild voice hash (userId -> channelId)
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] guildId    ARGV[4] channelId
-- ARGV[5] now (epoch ms)    ARGV[6] source time (epoch ms) or ''    ARGV[7] presence retention (s)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the guild's voice version; the voice channel.
-- Returns {changed 0|1, version|false}.

local ukey, uid, gid, cid, now, at, retention = KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]

local current = redis.call('HMGET', ukey, 'vg', 'vc', 'n', 'vt', 'pend')
if at ~= '' and current[4] and tonumber(at) < tonumber(current[4]) then return { 0, false } end
-- Remember the source time only for users we keep a record of (no record, no leak).
if at ~= '' and redis.call('EXISTS', ukey) == 1 then redis.call('HSET', ukey, 'vt', at) end
if current[1] ~= gid or current[2] ~= cid then return { 0, false } end

redis.call('HDEL', KEYS[2], uid)
redis.call('HDEL', ukey, 'vg', 'vc')
local version = publish_voice('LEFT', gid, cid, false, uid, now)
-- An offline user's record resumes its retention clock.
if (not current[3] or current[3] == '0') and not current[5] then redis.call('EXPIRE', ukey, retention) end
return { 1, version }
