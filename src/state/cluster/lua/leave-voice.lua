-- leaveVoice, user step (the user's partition): leaving a channel one is not
-- in, or an event older than the last one applied, is a no-op.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- ARGV[1] userId    ARGV[2] guildId    ARGV[3] channelId    ARGV[4] now (ms)
-- ARGV[5] source time (ms) or ''    ARGV[6] repair due (ms)    ARGV[7] presence retention (s)
-- Returns {changed 0|1, seq, op, ...}.

local ukey, uid, gid, cid, now, at, due = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local current = redis.call('HMGET', ukey, 'vg', 'vc', 'n', 'vt', 'pend')
if at ~= '' and current[4] and tonumber(at) < tonumber(current[4]) then return with_ops({ 0 }, uid, due) end
-- Remember the source time only for users we keep a record of (no record, no leak).
if at ~= '' and redis.call('EXISTS', ukey) == 1 then redis.call('HSET', ukey, 'vt', at) end
if current[1] ~= gid or current[2] ~= cid then return with_ops({ 0 }, uid, due) end

redis.call('HDEL', ukey, 'vg', 'vc')
emit_voice(now, 'LEFT', gid, cid, false, uid)
-- An offline user's record resumes its retention clock.
if (not current[3] or current[3] == '0') and not current[5] then redis.call('EXPIRE', ukey, ARGV[7]) end
return with_ops({ 1 }, uid, due)
