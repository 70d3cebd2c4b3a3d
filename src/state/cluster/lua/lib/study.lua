-- Study time in the user's partition (lib/calendar.lua splits timer time).
-- A running timer's start is `ts` in the user hash and its score in the
-- partition's timers zset; each day has the partition's totals hash and
-- members zset. Every key comes from KEYS: study_ctx reads, from KEYS[from]
-- on, the timers zset, then a totals hash and a members zset per calendar
-- day, then those of `extra` (a day outside the calendar, or '').

local function study_ctx(from, calendar, extra, channel, retention)
  local st = { timers = KEYS[from], days = parse_calendar(calendar), day = {}, channel = channel, retention = retention }
  local i = from + 1
  for _, d in ipairs(st.days) do
    st.day[d[1]] = { KEYS[i], KEYS[i + 1] }
    i = i + 2
  end
  if extra ~= '' and not st.day[extra] then
    st.day[extra] = { KEYS[i], KEYS[i + 1] }
    i = i + 2
  end
  st.after = i
  return st
end

local function stored(st, uid, day)
  return tonumber(redis.call('HGET', st.day[day][1], uid) or '0')
end

local function set_total(st, uid, day, seconds)
  local k = st.day[day]
  redis.call('HSET', k[1], uid, seconds)
  redis.call('ZADD', k[2], 0, uid)
  redis.call('EXPIRE', k[1], st.retention)
  redis.call('EXPIRE', k[2], st.retention)
end

-- The running timer's start, or nil.
local function timer_of(ukey)
  local ts = redis.call('HGET', ukey, 'ts')
  if ts then return tonumber(ts) end
  return nil
end

-- A day's total including a running timer's time, as queries report it.
local function live_seconds(st, ukey, uid, day, now)
  local seconds, ts = stored(st, uid, day), timer_of(ukey)
  if ts then
    for _, p in ipairs(split(st.days, math.max(ts, st.days[1][2]), now)) do
      if p[1] == day then seconds = seconds + p[2] end
    end
  end
  return math.min(MAX_DAY_SECONDS, seconds), ts ~= nil
end

-- `channel` defaults to the context's (the user of a one-user step).
local function publish_study(st, ukey, uid, day, now, channel)
  local seconds, running = live_seconds(st, ukey, uid, day, now)
  redis.call('SPUBLISH', channel or st.channel, study_payload({ userId = uid, day = day, seconds = seconds, running = running }))
end

-- Credits [ts, until) to each day it covers, then restarts the timer at
-- `until` (keep) or stops it. Callers check that the calendar reaches ts.
local function settle_timer(st, ukey, uid, ts, until_ms, now, keep, channel)
  if keep then
    redis.call('HSET', ukey, 'ts', until_ms)
    redis.call('ZADD', st.timers, until_ms, uid)
  else
    redis.call('HDEL', ukey, 'ts')
    redis.call('ZREM', st.timers, uid)
  end
  for _, p in ipairs(split(st.days, math.max(ts, st.days[1][2]), until_ms)) do
    set_total(st, uid, p[1], math.min(MAX_DAY_SECONDS, stored(st, uid, p[1]) + p[2]))
    publish_study(st, ukey, uid, p[1], now, channel)
  end
end
