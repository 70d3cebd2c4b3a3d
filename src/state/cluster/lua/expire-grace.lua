-- A held-back OFFLINE that fell due (the user's partition): unless a session
-- came back, the user goes OFFLINE as of when their last session closed and
-- their voice membership ends.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset    KEYS[4] pending offline zset
-- ARGV[1] userId    ARGV[2] now (ms)    ARGV[3] repair due (ms)
-- ARGV[4] the user's presence channel    ARGV[5] presence retention (s)
-- Returns {went offline 0|1, seq, op, ...}.

local ukey, uid, now, due, channel = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
redis.call('ZREM', KEYS[4], uid)
local sessions, _, fields = read_user(ukey)
if not fields.pend or summarize(sessions).count > 0 then return with_ops({ 0 }, uid, due) end

local at = fields.pend
if fields.vg then
  redis.call('HDEL', ukey, 'vg', 'vc')
  emit_voice(now, 'LEFT', fields.vg, fields.vc, false, uid, at)
end
redis.call('HSET', ukey, 'last', at)
redis.call('HDEL', ukey, 'pend')
redis.call('EXPIRE', ukey, ARGV[5])
emit_presence(uid, now, channel, 'OFFLINE', 'ONLINE', 0, split_lines(fields.g), at, true)
return with_ops({ 1 }, uid, due)
