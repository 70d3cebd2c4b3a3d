-- The least a connect must write, the same for every peer: the session in
-- the user hash, the session-id index, the user in each guild's online set,
-- and the presence event on the user's and each guild's channel.
-- KEYS[1] user hash    KEYS[2] session index hash    KEYS[3..] each guild's online set
-- ARGV[1] userId    ARGV[2] sessionId    ARGV[3] now (ms)    ARGV[4] key prefix    ARGV[5..] guildIds
-- Returns the session count.
local uid, sid, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', KEYS[1], 's:' .. sid, now)
redis.call('HSET', KEYS[2], sid, uid)
local count = redis.call('HLEN', KEYS[1])
local guilds = {}
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], uid)
  guilds[#guilds + 1] = cjson.encode(ARGV[i + 2])
end
local event = '{"userId":' .. cjson.encode(uid) .. ',"state":"ONLINE","sessionCount":' .. count .. ',"guildIds":[' .. table.concat(guilds, ',') .. '],"at":' .. now .. '}'
redis.call('PUBLISH', prefix .. 'presence:user:' .. uid, event)
for i = 5, #ARGV do redis.call('PUBLISH', prefix .. 'presence:guild:' .. ARGV[i], event) end
return count
