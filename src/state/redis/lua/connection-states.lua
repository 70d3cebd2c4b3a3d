-- Reads many users' connection fields in one command (a pipeline of HMGETs
-- costs a client-side command object per user).
-- KEYS[1..N] user hashes
-- ARGV[1] key prefix
-- Returns {n, room, last, g, pend} per key, flattened; absent fields are false.

local out = {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'n', 'room', 'last', 'g', 'pend')
  local at = (i - 1) * 5
  for j = 1, 5 do out[at + j] = f[j] end
end
return out
