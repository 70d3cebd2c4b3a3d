-- One partition's page of a day's totals, ordered by user id (bytes), after a cursor.
-- KEYS[1] day members zset    KEYS[2] day totals hash    KEYS[3] timers zset
-- ARGV[1] after (user id) or ''    ARGV[2] page size
-- Returns {userId, seconds, running 0|1, ...}: up to page size + 1 entries.

local from = '-'
if ARGV[1] ~= '' then from = '(' .. ARGV[1] end
local out = {}
for _, uid in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, tonumber(ARGV[2]) + 1)) do
  out[#out + 1] = uid
  out[#out + 1] = redis.call('HGET', KEYS[2], uid) or '0'
  out[#out + 1] = redis.call('ZSCORE', KEYS[3], uid) and 1 or 0
end
return out
