-- Records a day's total measured by the signaling server (the user's
-- partition). The total only rises, so a late or repeated save cannot erase
-- time. With leftRoom the room hears ROOM_OUT through the outbox.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- KEYS[4..] study keys (lib/study.lua; the saved day as the extra day)
-- ARGV[1] userId    ARGV[2] day    ARGV[3] seconds    ARGV[4] leftRoom '1'|'0'
-- ARGV[5] roomId or ''    ARGV[6] now (ms)    ARGV[7] calendar
-- ARGV[8] the user's study channel    ARGV[9] study retention (s)    ARGV[10] repair due (ms)
-- Returns {seconds, running 0|1, seq, op, ...}, or {-1} when leftRoom names
-- no room and the user is in none (nothing written).

local ukey, uid, day, seconds, left = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local now, due = tonumber(ARGV[6]), ARGV[10]
local st = study_ctx(4, ARGV[7], day, ARGV[8], ARGV[9])

local room = ARGV[5]
if room == '' then room = left and redis.call('HGET', ukey, 'room') end
if left and not room then return { -1 } end

if seconds > stored(st, uid, day) then
  set_total(st, uid, day, seconds)
  publish_study(st, ukey, uid, day, now)
end
if left then emit(now, 'r:' .. room, 'O', room_out_payload({ roomId = room, userId = uid, at = now })) end
local total, running = live_seconds(st, ukey, uid, day, now)
return with_ops({ total, running and 1 or 0 }, uid, due)
