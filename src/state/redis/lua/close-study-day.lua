-- Closes an ended study day exactly once across instances: the first caller
-- credits every running timer up to the day's end, writes the closed marker
-- and publishes studyDayClosed; later callers get {0}.
-- KEYS[1] day closed marker   KEYS[2] day totals hash     KEYS[3] timers zset
-- ARGV[1] key prefix          ARGV[2] day                 ARGV[3] day end (epoch ms)
-- ARGV[4] now (epoch ms)      ARGV[5] calendar            ARGV[6] study retention (seconds)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): each running timer's user hash, and the totals and members of every day a
--   timer ran in; each user's study channel.
-- Returns {1, users, totalSeconds}, {0} when already closed, or {-2, start}
-- when the calendar does not reach the oldest running timer (nothing written).

local day, day_end, now, retention = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[6]
local days = parse_calendar(ARGV[5])

if redis.call('EXISTS', KEYS[1]) == 1 then return { 0 } end

local running = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[3], 'WITHSCORES')
if #running > 0 and not split(days, tonumber(running[2]), day_end) then return { -2, running[2] } end
for i = 1, #running, 2 do
  settle_timer(running[i], tonumber(running[i + 1]), day_end, days, retention, now, true)
end

local users, total = 0, 0
for _, seconds in ipairs(redis.call('HVALS', KEYS[2])) do
  users = users + 1
  total = total + tonumber(seconds)
end
local summary = day_closed_payload({ day = day, users = users, totalSeconds = total })
redis.call('SET', KEYS[1], summary, 'EX', retention)
publish(DAY_CLOSED_CHANNEL, summary)
return { 1, users, total }
