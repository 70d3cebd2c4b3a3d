-- Reads many users' connection fields in one command (a pipeline of HMGETs
-- costs a client-side command object per user). The user ids come as one
-- '\n'-joined argument and their keys are built here, as lib.lua does for
-- keys scripts learn while running: a thousand arguments cost the client
-- more to encode than this script takes to run.
-- ARGV[1] key prefix    ARGV[2] userIds, '\n'-joined
-- Returns {sessionCount, room|false, lastSeenAt|false, guilds|false, pending 0|1}
-- per user, flattened; counts, times and flags as integers.

local out = {}
for i, uid in ipairs(split_lines(ARGV[2])) do
  local f = redis.call('HMGET', user_key(uid), 'n', 'room', 'last', 'g', 'pend')
  local at = (i - 1) * 5
  out[at + 1] = tonumber(f[1] or '0')
  out[at + 2] = f[2]
  out[at + 3] = f[3] and tonumber(f[3]) or false
  out[at + 4] = f[4]
  out[at + 5] = f[5] and 1 or 0
end
return out
