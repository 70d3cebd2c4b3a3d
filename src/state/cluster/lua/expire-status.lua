-- A custom status past its expiry (the user's partition): clears it, and
-- tells those who see it.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset    KEYS[4] custom status expiry zset
-- ARGV[1] userId    ARGV[2] now (ms)    ARGV[3] repair due (ms)    ARGV[4] the user's presence channel
-- Returns {cleared 0|1, seq, op, ...}.

local ukey, uid, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
redis.call('ZREM', KEYS[4], uid)
local fields = presence_fields(ukey)
if not custom_status_expired(fields.cs, now) then return with_ops({ 0 }, uid, ARGV[3]) end
redis.call('HDEL', ukey, 'cs')
emit_changes(uid, now, ARGV[4], changes_between(fields, with_fields(fields, { cs = false })), now)
return with_ops({ 1 }, uid, ARGV[3])
