-- Connect, first step (the session id's partition): refuses a closed session
-- or another user's, else records sessionId -> userId.
-- KEYS[1] the session's index bucket    KEYS[2] the session's tombstone
-- ARGV[1] sessionId    ARGV[2] userId
-- Returns 'OK', 'TOMB' or 'OWNED'.

if redis.call('EXISTS', KEYS[2]) == 1 then return 'TOMB' end
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] then return 'OWNED' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 'OK'
