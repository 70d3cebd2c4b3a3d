-- Reads a guild's voice channels and their version in one step.
-- KEYS[1] guild voice hash    KEYS[2] guild voice version
-- ARGV[1] key prefix
-- Returns {version, userId, channelId, ...}.

local out = { tonumber(redis.call('GET', KEYS[2]) or '0') }
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out + 1] = v end
return out
