-- A derived step (one target's slot): applies a user's outbox ops for this
-- target in seq order, each only when its seq is above the last one the
-- target saw from the user, so a replay or a second applier changes nothing
-- and publishes nothing.
-- KEYS[1] guild targets: the seen hash (userId -> last seq applied);
--         session targets: the index bucket again (dropping an entry twice is harmless, so no seen)
-- KEYS[2] the guild's online set, or the session's index bucket
-- ARGV[1] userId    ARGV[2] seen field ('' for none)    ARGV[3] channel for the events ('' for none)
-- ARGV[4..] seq, kind, payload, ...
-- Kinds: '+' / '-' the user joins / leaves the online set, and the payload is
-- published; 'X' the index entry of session <payload> goes.
-- Returns how many ops it applied.

local uid, field, channel = ARGV[1], ARGV[2], ARGV[3]
local seen = 0
if field ~= '' then seen = tonumber(redis.call('HGET', KEYS[1], field) or '0') end
local applied, last = 0, false
for i = 4, #ARGV, 3 do
  if tonumber(ARGV[i]) > seen then
    local kind, payload = ARGV[i + 1], ARGV[i + 2]
    if kind == '+' then redis.call('SADD', KEYS[2], uid)
    elseif kind == '-' then redis.call('SREM', KEYS[2], uid)
    elseif kind == 'X' then redis.call('HDEL', KEYS[2], payload) end
    if channel ~= '' and kind ~= 'X' then redis.call('SPUBLISH', channel, payload) end
    applied, last = applied + 1, ARGV[i]
  end
end
if last and field ~= '' then redis.call('HSET', KEYS[1], field, last) end
return applied
