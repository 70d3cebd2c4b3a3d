-- Takes a user out of a voice channel; leaving a channel one is not in is a no-op.
-- KEYS[1] user hash     KEYS[2] guild voice hash (userId -> channelId)
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] guildId    ARGV[4] channelId
-- ARGV[5] now (epoch ms)    ARGV[6] presence retention (seconds)
-- Returns {changed 0|1}.

local ukey, uid, gid, cid, now, retention = KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

local current = redis.call('HMGET', ukey, 'vg', 'vc', 'n')
if current[1] ~= gid or current[2] ~= cid then return { 0 } end

end_voice(ukey, uid, gid, cid, now)
-- An offline user's record resumes its retention clock.
if not current[3] or current[3] == '0' then redis.call('EXPIRE', ukey, retention) end
return { 1 }
