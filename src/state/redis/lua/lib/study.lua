-- Study time. Each day has a totals hash (userId -> seconds) and a members
-- zset (all scores 0, so ZRANGEBYLEX pages by user id); both share the day's
-- hash tag. A running timer's start is `ts` in the user hash and its score in
-- the timers zset.


-- The calendar (parse_calendar, split) is lib/calendar.lua.

local function stored(uid, day)
  return tonumber(redis.call('HGET', totals_key(day), uid) or '0')
end

local function set_total(uid, day, seconds, retention)
  local tkey, mkey = totals_key(day), members_key(day)
  redis.call('HSET', tkey, uid, seconds)
  redis.call('ZADD', mkey, 0, uid)
  redis.call('EXPIRE', tkey, retention)
  redis.call('EXPIRE', mkey, retention)
end

local function timer_start(uid)
  local ts = redis.call('HGET', user_key(uid), 'ts')
  if ts then return tonumber(ts) end
  return false
end

-- A day's total including a running timer's time, as queries report it.
local function live_seconds(uid, day, days, now)
  local seconds, ts = stored(uid, day), timer_start(uid)
  if ts then
    for _, p in ipairs(split(days, math.max(ts, days[1][2]), now)) do
      if p[1] == day then seconds = seconds + p[2] end
    end
  end
  return math.min(MAX_DAY_SECONDS, seconds), ts ~= false
end

local function publish_study(uid, day, days, now)
  local seconds, running = live_seconds(uid, day, days, now)
  publish(study_user_channel(uid), study_payload({ userId = uid, day = day, seconds = seconds, running = running }))
end

-- Credits [ts, until) to each day it covers, then restarts the timer at
-- `until` (keep) or stops it. Callers make the calendar reach ts; time
-- before the calendar's first day is never credited to a wrong day.
local function settle_timer(uid, ts, until_ms, days, retention, now, keep)
  if keep then
    redis.call('HSET', user_key(uid), 'ts', until_ms)
    redis.call('ZADD', timers_key(), until_ms, uid)
  else
    redis.call('HDEL', user_key(uid), 'ts')
    redis.call('ZREM', timers_key(), uid)
  end
  for _, p in ipairs(split(days, math.max(ts, days[1][2]), until_ms)) do
    set_total(uid, p[1], math.min(MAX_DAY_SECONDS, stored(uid, p[1]) + p[2]), retention)
    publish_study(uid, p[1], days, now)
  end
end
