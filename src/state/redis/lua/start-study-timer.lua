-- Starts a user's study timer; a running timer is left as it is.
-- KEYS[1] user hash     KEYS[2] timers zset (userId -> start)
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] now (epoch ms)
-- ARGV[4] calendar (see lib/study.lua; its last day is today)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the day totals of today (for the reply); the user's study channel.
-- Returns {changed 0|1, today's seconds}.

local uid, now = ARGV[2], tonumber(ARGV[3])
local days = parse_calendar(ARGV[4])
local today = days[#days][1]

if redis.call('HEXISTS', KEYS[1], 'ts') == 1 then
  return { 0, (live_seconds(uid, today, days, now)) }
end
redis.call('HSET', KEYS[1], 'ts', now)
redis.call('ZADD', KEYS[2], now, uid)
publish_study(uid, today, days, now)
return { 1, (live_seconds(uid, today, days, now)) }
