-- Stops a user's study timer, crediting its time to each day it ran in.
-- KEYS[1] user hash     KEYS[2] timers zset
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] now (epoch ms)
-- ARGV[4] calendar      ARGV[5] study retention (seconds)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the totals and members of every day the timer ran in; the user's study
--   channel.
-- Returns {changed 0|1, today's seconds}, or {-2, start} when the calendar
-- does not reach back to the timer's start (nothing written; call again).

local uid, now, retention = ARGV[2], tonumber(ARGV[3]), ARGV[5]
local days = parse_calendar(ARGV[4])
local today = days[#days][1]

local ts = timer_start(uid)
if not ts then return { 0, (live_seconds(uid, today, days, now)) } end
if not split(days, ts, now) then return { -2, ts } end
settle_timer(uid, ts, now, days, retention, now, false)
return { 1, (live_seconds(uid, today, days, now)) }
