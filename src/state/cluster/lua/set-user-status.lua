-- setUserStatus, user step (the user's partition): the chosen status and,
-- unless kept, the custom status; guild views follow through the outbox
-- (going INVISIBLE is an OFFLINE for them, coming back an ONLINE).
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset    KEYS[4] custom status expiry zset
-- ARGV[1] userId    ARGV[2] status 'ONLINE'|'DND'|'INVISIBLE'
-- ARGV[3] custom status JSON, '' to clear it, '-' to keep it    ARGV[4] its expiry (ms) or ''
-- ARGV[5] now (ms)    ARGV[6] repair due (ms)    ARGV[7] the user's presence channel    ARGV[8] presence retention (s)
-- Returns {connection_record, seq, op, ...}.

local ukey, uid, now = KEYS[1], ARGV[1], tonumber(ARGV[5])
local b, after = set_user_status(ukey, uid, ARGV[2], ARGV[3], ARGV[4], KEYS[4], now, ARGV[8])
emit_changes(uid, now, ARGV[7], presence_changes(b, presence_view(after)), now)
return with_ops({ connection_record_of(after) }, uid, ARGV[6])
