-- connectionStates for the users of one partition, in the record format of
-- redis/lua/connection-states.lua (decodeConnectionRecords reads both).
-- KEYS[1..n] the users' hashes, in the order their records are wanted
-- Returns one string of n records.

local out = {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'n', 'room', 'last', 'pend', 'g')
  out[i] = (f[1] or '0') .. '\31' .. (f[2] or '') .. '\31' .. (f[3] or '') .. '\31' .. (f[4] and '1' or '') .. '\31' .. (f[5] or '') .. '\30'
end
return table.concat(out)
