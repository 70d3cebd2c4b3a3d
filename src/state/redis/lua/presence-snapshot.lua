-- Reads users' presence with their versions, for a subscription that starts
-- with a snapshot. With a guild, the users are those online in it.
-- KEYS[1] the guild's online zset, or '' for the listed users
-- ARGV[1] key prefix    ARGV[2..] userIds (when no guild)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the user hash of each user listed or online in the guild.
-- Returns {userId, sessionCount, pending 0|1, guilds ('\n'-joined), version, ...}.

local users = {}
if KEYS[1] ~= '' then users = redis.call('ZRANGE', KEYS[1], 0, -1) else
  for i = 2, #ARGV do users[#users + 1] = ARGV[i] end
end
local out = {}
for _, uid in ipairs(users) do append_presence(out, user_key(uid), uid) end
return out
