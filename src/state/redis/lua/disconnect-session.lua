-- Closes a session. The user's last session closing makes them OFFLINE, ends
-- their voice membership, stops their study timer and starts the retention
-- clock on their record.
-- KEYS[1] session index (sessionId -> userId)
-- ARGV[1] key prefix    ARGV[2] sessionId    ARGV[3] now (epoch ms)
-- ARGV[4] presence retention (seconds)       ARGV[5] calendar (see lib.lua)
-- ARGV[6] study retention (seconds)
-- Returns {0} for an unknown session, {-2, timer start} when the calendar does
-- not reach back to a timer this would stop (nothing written), else
-- {1, userId, session JSON, sessionCount, roomId|false, lastSeenAt|false}.

local ikey, sid, now, retention = KEYS[1], ARGV[2], ARGV[3], ARGV[4]
local days = parse_calendar(ARGV[5])

local uid = redis.call('GET', ikey)
if not uid then return { 0 } end

local ukey = user_key(uid)
local sessions, raw, fields = read_user(ukey)
local ts = fields.ts and tonumber(fields.ts)
if sessions[sid] and ts and summarize(sessions).count == 1 and not split(days, ts, tonumber(now)) then
  return { -2, ts }
end
redis.call('DEL', ikey)
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
  if ts then settle_timer(uid, ts, tonumber(now), days, ARGV[6], tonumber(now), false) end
  redis.call('HSET', ukey, 'last', now)
  redis.call('EXPIRE', ukey, retention)
end

for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, now) end
publish_presence(uid, 'OFFLINE', 'ONLINE', after.count,
  missing_from(before.guilds, after.guilds), now, after.count == 0)

return { 1, uid, raw[sid], after.count, after.room, last }
