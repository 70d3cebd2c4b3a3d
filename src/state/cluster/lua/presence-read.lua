-- Reads users' presence with their versions (one partition), for a
-- subscription that starts with a snapshot.
-- KEYS[1..] the users' hashes    ARGV[1..] their ids, in the same order
-- Returns {userId, sessionCount, pending 0|1, guilds ('\n'-joined), version, ...}.

local out = {}
for i, ukey in ipairs(KEYS) do append_presence(out, ukey, ARGV[i]) end
return out
