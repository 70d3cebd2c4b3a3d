-- Reads many users' connection fields in one command (a pipeline of HMGETs
-- costs a client-side command object per user). The user ids come as one
-- '\n'-joined argument and their keys are built here, as lua/lib/keys.lua does for
-- keys scripts learn while running: a thousand arguments cost the client
-- more to encode than this script takes to run.
-- ARGV[1] key prefix    ARGV[2] userIds, '\n'-joined
-- Returns one string: per user, in order, a record of 'sessionCount\31room\31
-- lastSeenAt\31pending\31guilds' (room, lastSeenAt and guilds empty when
-- absent, pending '1' or empty, guilds '\n'-joined), records ending in '\30'.
-- Ids hold no control characters; one string is far cheaper for the client
-- to receive than five values a user.

local out = {}
for i, uid in ipairs(split_lines(ARGV[2])) do
  local f = redis.call('HMGET', user_key(uid), 'n', 'room', 'last', 'pend', 'g')
  out[i] = (f[1] or '0') .. '\31' .. (f[2] or '') .. '\31' .. (f[3] or '') .. '\31' .. (f[4] and '1' or '') .. '\31' .. (f[5] or '') .. '\30'
end
return table.concat(out)
