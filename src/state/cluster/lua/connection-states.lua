-- connectionStates for the users of one partition, in the record format of
-- connection_record (lib/session-records.lua; decodeConnectionRecords reads it).
-- KEYS[1..n] the users' hashes, in the order their records are wanted
-- Returns one string of n records.

local out = {}
for i, key in ipairs(KEYS) do out[i] = connection_record(key) end
return table.concat(out)
