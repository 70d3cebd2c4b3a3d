-- Closes a session. The user's last session closing makes them OFFLINE, ends
-- their voice membership and starts the retention clock on their record.
-- KEYS[1] session index (sessionId -> userId)
-- ARGV[1] key prefix    ARGV[2] sessionId    ARGV[3] now (epoch ms)
-- ARGV[4] presence retention (seconds)
-- Returns {0} for an unknown session, else
-- {1, userId, session JSON, sessionCount, roomId|false, lastSeenAt|false}.

local ikey, sid, now, retention = KEYS[1], ARGV[2], ARGV[3], ARGV[4]

local uid = redis.call('GET', ikey)
if not uid then return { 0 } end
redis.call('DEL', ikey)

local ukey = user_key(uid)
local sessions, raw, fields = read_user(ukey)
if not sessions[sid] then return { 0 } end

local before = summarize(sessions)
sessions[sid] = nil
redis.call('HDEL', ukey, 's:' .. sid)
local after = summarize(sessions)
store_summary(ukey, after)

local last = fields.last or false
if after.count == 0 then
  last = now
  if fields.vg then end_voice(ukey, uid, fields.vg, fields.vc, now) end
  redis.call('HSET', ukey, 'last', now)
  redis.call('EXPIRE', ukey, retention)
end

for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, now) end
publish_presence(uid, 'OFFLINE', 'ONLINE', after.count,
  missing_from(before.guilds, after.guilds), now, after.count == 0)

return { 1, uid, raw[sid], after.count, after.room, last }
