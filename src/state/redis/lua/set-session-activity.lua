-- Sets a session's activity (ACTIVE / IDLE) as its gateway reports it, and
-- publishes the status change it makes (lib/status.lua).
-- KEYS[1] the session's index bucket (sessionId -> userId)
-- ARGV[1] key prefix    ARGV[2] sessionId    ARGV[3] 'i' idle or '' active    ARGV[4] now (ms)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the owner's user hash (read from KEYS[1]); presence channels.
-- Returns {0} for an unknown session, else {changed 0|1, userId, session record, connection_record}.

local sid = ARGV[2]
local uid = redis.call('HGET', KEYS[1], sid)
if not uid then return { 0 } end
local ukey = user_key(uid)
local sessions, raw, fields = read_user(ukey)
local rec = sessions[sid]
if not rec then return { 0 } end
local flags = ARGV[3] .. string.gsub(rec.f or '', 'i', '')
if flags == (rec.f or '') then return { 0, uid, raw[sid], connection_record_of(fields) } end

rec.f = flags
local record = encode_session(rec)
local code = activity_code(sessions)
redis.call('HSET', ukey, 's:' .. sid, record, 'sa', code)
local after = with_fields(fields, { sa = code })
publish_changes(uid, ukey, changes_between(fields, after), tonumber(ARGV[4]))
return { 1, uid, record, connection_record_of(after) }
