-- One page of a day's totals, ordered by user id (bytes), after a cursor.
-- KEYS[1] day members zset    KEYS[2] day totals hash
-- ARGV[1] key prefix          ARGV[2] after (user id) or ''    ARGV[3] page size
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the user hash of each user on the page.
-- Returns {hasNextPage 0|1, userId, seconds, running 0|1, ...}.

local first = tonumber(ARGV[3])
local from = '-'
if ARGV[2] ~= '' then from = '(' .. ARGV[2] end

local ids = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, first + 1)
local out = { #ids > first and 1 or 0 }
for i = 1, math.min(first, #ids) do
  local uid = ids[i]
  out[#out + 1] = uid
  out[#out + 1] = redis.call('HGET', KEYS[2], uid) or '0'
  out[#out + 1] = redis.call('HEXISTS', user_key(uid), 'ts')
end
return out
