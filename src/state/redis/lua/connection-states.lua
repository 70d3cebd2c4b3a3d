-- Reads many users' connection fields in one command (a pipeline of HMGETs
-- costs a client-side command object per user). The user ids come as
-- arguments and their keys are built here (as lib.lua does for keys scripts
-- learn while running): a thousand key names are not built and sent twice.
-- ARGV[1] key prefix    ARGV[2..] userIds
-- Returns {n, room, last, g, pend} per user, flattened; absent fields are false.

local out = {}
for i = 2, #ARGV do
  local f = redis.call('HMGET', user_key(ARGV[i]), 'n', 'room', 'last', 'g', 'pend')
  local at = (i - 2) * 5
  for j = 1, 5 do out[at + j] = f[j] end
end
return out
