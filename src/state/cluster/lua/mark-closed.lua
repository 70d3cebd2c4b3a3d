-- Disconnect, first step (the session id's partition): sets the tombstone,
-- so a claim that comes later is refused, and names the owner to close it for.
-- KEYS[1] the session's index bucket    KEYS[2] the session's tombstone
-- ARGV[1] sessionId    ARGV[2] tombstone seconds
-- Returns the userId, or false for an unknown session.

redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
return redis.call('HGET', KEYS[1], ARGV[1])
