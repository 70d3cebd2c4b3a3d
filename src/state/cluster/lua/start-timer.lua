-- Starts the user's study timer (the user's partition); a running timer is left as it is.
-- KEYS[1] user hash    KEYS[2..] study keys (lib/study.lua)
-- ARGV[1] userId    ARGV[2] now (ms)    ARGV[3] calendar (its last day is today)
-- ARGV[4] the user's study channel    ARGV[5] study retention (s)
-- Returns {changed 0|1, today's seconds}.

local ukey, uid, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local st = study_ctx(2, ARGV[3], '', ARGV[4], ARGV[5])
local today = st.days[#st.days][1]
if timer_of(ukey) then return { 0, (live_seconds(st, ukey, uid, today, now)) } end
redis.call('HSET', ukey, 'ts', now)
redis.call('ZADD', st.timers, now, uid)
publish_study(st, ukey, uid, today, now)
return { 1, (live_seconds(st, ukey, uid, today, now)) }
