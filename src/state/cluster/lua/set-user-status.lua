-- setUserStatus, user step (the user's partition): the chosen status and,
-- unless kept, the custom status; guild views follow through the outbox
-- (going INVISIBLE is an OFFLINE for them, coming back an ONLINE).
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset    KEYS[4] custom status expiry zset
-- ARGV[1] userId    ARGV[2] status 'ONLINE'|'DND'|'INVISIBLE'
-- ARGV[3] custom status JSON, '' to clear it, '-' to keep it    ARGV[4] its expiry (ms) or ''
-- ARGV[5] now (ms)    ARGV[6] repair due (ms)    ARGV[7] the user's presence channel    ARGV[8] presence retention (s)
-- Returns {connection_record, seq, op, ...}.

local ukey, uid, now = KEYS[1], ARGV[1], tonumber(ARGV[5])
local fields = presence_fields(ukey)
local b = presence_view(fields)
local st = ARGV[2] ~= 'ONLINE' and ARGV[2] or false
local changes = { st = st }
if ARGV[3] ~= '-' then changes.cs = ARGV[3] ~= '' and ARGV[3] or false end
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
if ARGV[3] ~= '-' then
  if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], ARGV[4], uid) else redis.call('ZREM', KEYS[4], uid) end
end
-- An offline user's choice is kept as long as the rest of their record.
if not b.online and #set > 0 then redis.call('EXPIRE', ukey, ARGV[8]) end
emit_changes(uid, now, ARGV[7], presence_changes(b, presence_view(after)), now)
return with_ops({ connection_record_of(after) }, uid, ARGV[6])
