-- Reads users' presence with their versions (one partition), for a
-- subscription that starts with a snapshot.
-- KEYS[1..] the users' hashes    ARGV[1..] their ids, in the same order
-- Returns {userId, sessionCount, pending 0|1, guilds ('\n'-joined), version, ...}.

local out = {}
for i, ukey in ipairs(KEYS) do
  local f = redis.call('HMGET', ukey, 'n', 'pend', 'g', 'pv')
  out[#out + 1] = ARGV[i]
  out[#out + 1] = tonumber(f[1] or '0')
  out[#out + 1] = f[2] and 1 or 0
  out[#out + 1] = f[3] or ''
  out[#out + 1] = tonumber(f[4] or '0')
end
return out
