-- Reads many users' connection fields in one command (a pipeline of HMGETs
-- costs a client-side command object per user). The user ids come as one
-- '\n'-joined argument and their keys are built here, with the generated user_key, as for
-- keys scripts learn while running: a thousand arguments cost the client
-- more to encode than this script takes to run.
-- ARGV[1] key prefix    ARGV[2] userIds, '\n'-joined
-- Returns one string: per user, in order, their connection_record
-- (lib/session-records.lua).
-- Ids hold no control characters; one string is far cheaper for the client
-- to receive than five values a user.

local out = {}
for i, uid in ipairs(split_lines(ARGV[2])) do
  out[i] = connection_record(user_key(uid))
end
return table.concat(out)
