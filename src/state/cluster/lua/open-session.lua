-- Connect, user step (the user's partition): opens the session, or updates
-- it when its guilds, room or node changed; guild views (and ROOM_OUT of a
-- room the user's sessions no longer name) follow through the outbox. A session the user side already closed (tombstone) opens nothing.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- KEYS[4] node sessions zset    KEYS[5] unleased zset    KEYS[6] pending offline zset
-- KEYS[7] the session's user-side tombstone
-- ARGV[1] userId    ARGV[2] sessionId    ARGV[3] content 'n\nr\ng1\ng2...'
-- ARGV[4] now (ms)    ARGV[5] repair due (ms)    ARGV[6] the user's presence channel
-- Returns {status 'CHANGED'|'SAME'|'TOMB', record|false, connection_record, seq, op, ...}.

local ukey, uid, sid, now, due, channel = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local sessions, raw, fields = read_user(ukey)
local before = summarize(sessions)
local pending = before.count == 0 and fields.pend ~= nil
local function answer(status, record, f)
  return with_ops({ status, record, connection_record_of(f) }, uid, due)
end
if redis.call('EXISTS', KEYS[7]) == 1 then return answer('TOMB', false, fields) end

local old, incoming = sessions[sid], decode_session(ARGV[3], 0)
if old and same_session(old, incoming) then return answer('SAME', raw[sid], fields) end

incoming.t = old and old.t or now
incoming.q = redis.call('HINCRBY', ukey, 'q', 1)
local record = encode_session(incoming)
redis.call('HSET', ukey, 's:' .. sid, record)
redis.call('PERSIST', ukey)
if old and old.n then redis.call('ZREM', KEYS[4], old.n .. '\n' .. sid .. '\n' .. uid) end
if old and not old.n then redis.call('ZREM', KEYS[5], uid .. '\n' .. sid) end
if incoming.n then redis.call('ZADD', KEYS[4], 0, incoming.n .. '\n' .. sid .. '\n' .. uid)
else redis.call('ZADD', KEYS[5], incoming.t, uid .. '\n' .. sid) end
if pending then
  redis.call('HDEL', ukey, 'pend')
  redis.call('ZREM', KEYS[6], uid)
end
sessions[sid] = incoming

local after = summarize(sessions)
store_summary(ukey, after)
local now_fields = summary_fields(fields, after)
emit_changes(uid, now, channel, changes_between(fields, now_fields), now)
emit_room_outs(now, uid, missing_from(before.rooms, after.rooms))
return answer('CHANGED', record, now_fields)
