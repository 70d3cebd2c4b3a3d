-- Disconnect, user step (the user's partition): closes the session and
-- leaves a user-side tombstone, so a connect whose claim raced this close
-- opens nothing. The last session closing makes the user OFFLINE (after
-- the grace period, when set): voice ends, the timer stops. Rooms no
-- session names any more get ROOM_OUT; guild views and the index entry
-- follow through the outbox.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- KEYS[4] node sessions zset    KEYS[5] unleased zset    KEYS[6] pending offline zset
-- KEYS[7] the session's user-side tombstone    KEYS[8..] study keys (lib/study.lua)
-- ARGV[1] userId    ARGV[2] sessionId    ARGV[3] now (ms)    ARGV[4] repair due (ms)
-- ARGV[5] the user's presence channel    ARGV[6] grace (ms)    ARGV[7] presence retention (s)
-- ARGV[8] tombstone (s)    ARGV[9] calendar    ARGV[10] the user's study channel
-- ARGV[11] study retention (s)
-- Returns {status 'CLOSED'|'UNKNOWN', record|false, connection_record|false, seq, op, ...}, or {-2, timer start} when
-- the calendar does not reach a timer this would stop (nothing written).

local ukey, uid, sid, now, due, channel = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local grace = tonumber(ARGV[6])
local st = study_ctx(8, ARGV[9], '', ARGV[10], ARGV[11])
local sessions, raw, fields = read_user(ukey)
local rec = sessions[sid]
local before = summarize(sessions)
if rec and grace == 0 and before.count == 1 then
  local reachable, ts = timer_reachable(st, fields)
  if not reachable then return { -2, ts } end
end

redis.call('SET', KEYS[7], '1', 'EX', ARGV[8])
emit(now, 's:' .. sid, 'X', sid)
if not rec then return with_ops({ 'UNKNOWN', false, false }, uid, due) end

sessions[sid] = nil
redis.call('HDEL', ukey, 's:' .. sid)
-- The last close, for presenceExplain: one short field keeps the hash a listpack.
redis.call('HSET', ukey, 'rc', sid .. '\t' .. now)
if rec.n then redis.call('ZREM', KEYS[4], rec.n .. '\n' .. sid .. '\n' .. uid)
else redis.call('ZREM', KEYS[5], uid .. '\n' .. sid) end
local after = summarize(sessions)
store_summary(ukey, after)
emit_room_outs(now, uid, missing_from(before.rooms, after.rooms))

local now_fields
if after.count > 0 then
  now_fields = summary_fields(fields, after)
  emit_changes(uid, now, channel, changes_between(fields, now_fields), now)
elseif grace > 0 then
  -- Held back: the user shows what their last session showed until then.
  redis.call('HSET', ukey, 'pend', now)
  redis.call('ZADD', KEYS[6], now + grace, uid)
  now_fields = with_fields(fields, { n = '0', pend = tostring(now), room = false })
else
  now_fields = go_offline(st, ukey, uid, fields, now, now, channel, ARGV[7])
end
return with_ops({ 'CLOSED', raw[sid], connection_record_of(now_fields) }, uid, due)
