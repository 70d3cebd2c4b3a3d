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
local fields = presence_fields(ukey)
local b = presence_view(fields)
local st = ARGV[3] ~= 'ONLINE' and ARGV[3] or false
local changes = { st = st }
if ARGV[4] ~= '-' then changes.cs = ARGV[4] ~= '' and ARGV[4] or false end
-- Users see an invisible user's lastSeenAt as when they went invisible.
if st == 'INVISIBLE' and fields.st ~= 'INVISIBLE' then changes.vl = b.visible and tostring(now) or fields.last
elseif st ~= 'INVISIBLE' then changes.vl = false end
local after = with_fields(fields, changes)

local set, drop = {}, {}
for _, name in ipairs({ 'st', 'cs', 'vl' }) do
  if after[name] then set[#set + 1] = name; set[#set + 1] = after[name]
  elseif fields[name] then drop[#drop + 1] = name end
end
if #set > 0 then redis.call('HSET', ukey, unpack(set)) end
if #drop > 0 then redis.call('HDEL', ukey, unpack(drop)) end
if ARGV[4] ~= '-' then
  if ARGV[5] ~= '' then redis.call('ZADD', KEYS[2], ARGV[5], uid) else redis.call('ZREM', KEYS[2], uid) end
end
-- An offline user's choice is kept as long as the rest of their record.
if not b.online and #set > 0 then redis.call('EXPIRE', ukey, ARGV[7]) end
publish_changes(uid, ukey, presence_changes(b, presence_view(after)), now)
return connection_record_of(after)
