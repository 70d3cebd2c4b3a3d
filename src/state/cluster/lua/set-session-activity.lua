-- setSessionActivity, user step (the session's owner, known from the index):
-- the session's activity flag, and the status change it makes.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- ARGV[1] userId    ARGV[2] sessionId    ARGV[3] 'i' idle or '' active
-- ARGV[4] now (ms)    ARGV[5] repair due (ms)    ARGV[6] the user's presence channel
-- Returns {changed 0|1|-1 (no such session), record|false, connection_record, seq, op, ...}.

local ukey, uid, sid, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[4])
local sessions, raw, fields = read_user(ukey)
local rec = sessions[sid]
if not rec then return with_ops({ -1, false, connection_record_of(fields) }, uid, ARGV[5]) end
local flags = ARGV[3] .. string.gsub(rec.f or '', 'i', '')
if flags == (rec.f or '') then return with_ops({ 0, raw[sid], connection_record_of(fields) }, uid, ARGV[5]) end

rec.f = flags
local record = encode_session(rec)
local code = activity_code(sessions)
redis.call('HSET', ukey, 's:' .. sid, record, 'sa', code)
local after = with_fields(fields, { sa = code })
emit_changes(uid, now, ARGV[6], changes_between(fields, after), now)
return with_ops({ 1, record, connection_record_of(after) }, uid, ARGV[5])
