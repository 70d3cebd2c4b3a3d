-- Counts one operation of a caller in the current fixed window.
-- KEYS[1] the caller's counter for this window
-- ARGV[1] key prefix (unused; every script takes it)   ARGV[2] window length (ms)
-- Returns the count in this window, this operation included.

local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count
