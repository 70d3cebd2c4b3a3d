-- Sets a user's chosen status and, unless told to keep it, their custom
-- status; publishes what that changes for viewers (lib/status.lua): going
-- INVISIBLE is an OFFLINE for the guilds, coming back an ONLINE.
-- KEYS[1] user hash    KEYS[2] custom status expiry zset
-- ARGV[1] key prefix    ARGV[2] userId    ARGV[3] status 'ONLINE'|'DND'|'INVISIBLE'
-- ARGV[4] custom status JSON, '' to clear it, '-' to keep it    ARGV[5] its expiry (ms) or ''
-- ARGV[6] now (ms)    ARGV[7] presence retention (s)
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the online set of each guild that starts or stops seeing the user;
--   presence channels.
-- Returns the user's connection_record (lib/session-records.lua).

local ukey, uid, now = KEYS[1], ARGV[2], tonumber(ARGV[6])
local b, after = set_user_status(ukey, uid, ARGV[3], ARGV[4], ARGV[5], KEYS[2], now, ARGV[7])
publish_changes(uid, ukey, presence_changes(b, presence_view(after)), now)
return connection_record_of(after)
