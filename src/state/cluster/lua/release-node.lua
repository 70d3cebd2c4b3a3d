-- Forgets a lapsed gateway node once its sessions are closed, unless a
-- heartbeat renewed its lease meanwhile.
-- KEYS[1] nodes zset (nodeId -> lease expiry)
-- ARGV[1] nodeId    ARGV[2] now (ms)
-- Returns 1 when it forgot the node.

local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) < tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
