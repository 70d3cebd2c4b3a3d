-- Disconnect, first step (the session id's partition): sets the tombstone,
-- so a claim that comes later is refused, and names the owner to close it for.
-- The tombstone keeps the owner ('=' .. userId): a disconnect repeated after
-- the index entry went still finds the user, and re-runs the user step (a
-- no-op when the close is there; the close when a failover lost it).
-- KEYS[1] the session's index bucket    KEYS[2] the session's tombstone
-- ARGV[1] sessionId    ARGV[2] tombstone seconds
-- Returns the userId, or false for a session never known here.

local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then
  local tomb = redis.call('GET', KEYS[2])
  if tomb and string.sub(tomb, 1, 1) == '=' then owner = string.sub(tomb, 2) end
end
redis.call('SET', KEYS[2], owner and ('=' .. owner) or '1', 'EX', ARGV[2])
return owner
