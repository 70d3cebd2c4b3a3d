-- Opens a session, or updates it when a known session id arrives with other
-- guilds, room or node. A retry with the same content changes nothing.
-- KEYS[1] user hash            KEYS[2] session index (sessionId -> userId)
-- ARGV[1] key prefix           ARGV[2] userId          ARGV[3] sessionId
-- ARGV[4] session JSON {g?, r?, n?}                    ARGV[5] now (epoch ms)
-- Returns {-1} when the session belongs to another user, else
-- {changed 0|1, session JSON, sessionCount, roomId|false, lastSeenAt|false}.

local ukey, ikey, uid, sid, now = KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[5]

local owner = redis.call('GET', ikey)
if owner and owner ~= uid then return { -1 } end

local sessions, raw, fields = read_user(ukey)
local before = summarize(sessions)
local old = sessions[sid]
local incoming = cjson.decode(ARGV[4])

local function same(a, b)
  return table.concat(a.g or {}, '\n') == table.concat(b.g or {}, '\n') and a.r == b.r and a.n == b.n
end

if old and same(old, incoming) then
  return { 0, raw[sid], before.count, before.room, fields.last or false }
end

incoming.t = old and old.t or tonumber(now)
incoming.q = redis.call('HINCRBY', ukey, 'q', 1)
local record = cjson.encode(incoming)
redis.call('HSET', ukey, 's:' .. sid, record)
redis.call('SET', ikey, uid)
redis.call('PERSIST', ukey)
sessions[sid] = incoming

local after = summarize(sessions)
store_summary(ukey, after)

publish_presence(uid, 'ONLINE', 'OFFLINE', after.count,
  missing_from(after.guilds, before.guilds), now, before.count == 0)
publish_presence(uid, 'OFFLINE', 'ONLINE', after.count,
  missing_from(before.guilds, after.guilds), now, false)
for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, now) end

return { 1, record, after.count, after.room, fields.last or false }
