-- A held-back OFFLINE that fell due (the user's partition): unless a session
-- came back, the user goes OFFLINE as of when their last session closed
-- (lib/offline.lua).
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset    KEYS[4] pending offline zset
-- KEYS[5..] study keys (lib/study.lua)
-- ARGV[1] userId    ARGV[2] now (ms)    ARGV[3] repair due (ms)
-- ARGV[4] the user's presence channel    ARGV[5] presence retention (s)
-- ARGV[6] calendar    ARGV[7] the user's study channel    ARGV[8] study retention (s)
-- Returns {went offline 0|1, seq, op, ...}, or {-2, timer start} when the
-- calendar does not reach the user's timer (nothing written).

local ukey, uid, now, due, channel = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local st = study_ctx(5, ARGV[6], '', ARGV[7], ARGV[8])
local sessions, _, fields = read_user(ukey)
local going = fields.pend and summarize(sessions).count == 0
if going then
  local reachable, ts = timer_reachable(st, fields)
  if not reachable then return { -2, ts } end
end
redis.call('ZREM', KEYS[4], uid)
if not going then return with_ops({ 0 }, uid, due) end
go_offline(st, ukey, uid, fields, fields.pend, now, channel, ARGV[5])
return with_ops({ 1 }, uid, due)
