-- After the derived steps applied them (user's partition): drops the ops from
-- the outbox; the repair entry goes with the last one.
-- KEYS[1] outbox hash    KEYS[2] outbox due zset
-- ARGV[1] userId    ARGV[2..] seqs applied (none: only drop an empty outbox's repair entry)
-- Returns how many ops are still pending.

if #ARGV > 1 then redis.call('HDEL', KEYS[1], unpack(ARGV, 2)) end
local left = redis.call('HLEN', KEYS[1])
if left == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return left
