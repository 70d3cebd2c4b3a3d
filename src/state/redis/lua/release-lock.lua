-- Releases a lock only if this holder still has it.
-- KEYS[1] lock    ARGV[1] key prefix    ARGV[2] holder token
-- Returns 1 when released.

if redis.call('GET', KEYS[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
