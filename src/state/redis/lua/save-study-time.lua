-- Records a day's total measured by the signaling server. The total only
-- rises, so a late or repeated save cannot erase time. With leftRoom the
-- room server is told the user left (ROOM_OUT).
-- KEYS[1] day totals hash     KEYS[2] day members zset    KEYS[3] user hash
-- ARGV[1] key prefix          ARGV[2] userId              ARGV[3] day
-- ARGV[4] seconds             ARGV[5] leftRoom '1'|'0'    ARGV[6] roomId or ''
-- ARGV[7] now (epoch ms)      ARGV[8] calendar            ARGV[9] study retention (seconds)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): only channels, the user's study channel and the room's.
-- Returns {seconds, running 0|1}, or {-1} when leftRoom names no room and
-- the user is in none (nothing written).

local uid, day, seconds, left = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5] == '1'
local now, retention = tonumber(ARGV[7]), ARGV[9]
local days = parse_calendar(ARGV[8])

local room = ARGV[6]
if room == '' then room = left and redis.call('HGET', KEYS[3], 'room') end
if left and not room then return { -1 } end

if seconds > stored(uid, day) then
  set_total(uid, day, seconds, retention)
  publish_study(uid, day, days, now)
end
if left then publish_room_out(room, uid, now) end

local total, running = live_seconds(uid, day, days, now)
return { total, running and 1 or 0 }
