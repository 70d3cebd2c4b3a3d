-- Day close of one partition, once its timers are all past the day's end:
-- sums its totals and keeps the sum, so every later call answers the same.
-- KEYS[1] the partition's closed marker    KEYS[2] day totals hash    KEYS[3] timers zset
-- ARGV[1] day end (ms)    ARGV[2] study retention (s)
-- Returns 'users,totalSeconds', or false while a timer still runs from before the end.

local done = redis.call('GET', KEYS[1])
if done then return done end
if #redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 1) > 0 then return false end
local users, total = 0, 0
for _, seconds in ipairs(redis.call('HVALS', KEYS[2])) do
  users = users + 1
  total = total + tonumber(seconds)
end
local summary = users .. ',' .. string.format('%d', total)
redis.call('SET', KEYS[1], summary, 'EX', ARGV[2])
return summary
