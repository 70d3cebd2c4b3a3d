-- Renews a gateway node's lease. resync is 1 when the node was unknown: new,
-- expired, or Redis lost its data; the gateway then sends its sessions with
-- syncNodeSessions.
-- KEYS[1] nodes zset (nodeId -> lease expiry, epoch ms)
-- ARGV[1] key prefix    ARGV[2] nodeId    ARGV[3] now (epoch ms)    ARGV[4] lease (ms)
-- Returns {resync 0|1, expiresAt}.

local now, expires = tonumber(ARGV[3]), tonumber(ARGV[3]) + tonumber(ARGV[4])
local known = redis.call('ZSCORE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[2])
return { (known and tonumber(known) > now) and 0 or 1, expires }
