-- Stops the user's study timer (the user's partition), crediting its time to each day it ran in.
-- KEYS[1] user hash    KEYS[2..] study keys (lib/study.lua)
-- ARGV[1] userId    ARGV[2] now (ms)    ARGV[3] calendar (its last day is today)
-- ARGV[4] the user's study channel    ARGV[5] study retention (s)
-- Returns {changed 0|1, today's seconds}, or {-2, start} when the calendar
-- does not reach back to the timer's start (nothing written; call again).

local ukey, uid, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local st = study_ctx(2, ARGV[3], '', ARGV[4], ARGV[5])
local today = st.days[#st.days][1]
local ts = timer_of(ukey)
if not ts then return { 0, (live_seconds(st, ukey, uid, today, now)) } end
if not split(st.days, ts, now) then return { -2, ts } end
settle_timer(st, ukey, uid, ts, now, now, false)
return { 1, (live_seconds(st, ukey, uid, today, now)) }
