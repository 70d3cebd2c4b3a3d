-- Disconnect, user step (the user's partition): closes the session and
-- leaves a user-side tombstone, so a connect whose claim raced this close
-- opens nothing. The last session closing makes the user OFFLINE (after
-- the grace period, when set) and ends their voice membership. The index entry goes through the outbox.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- KEYS[4] node sessions zset    KEYS[5] unleased zset    KEYS[6] pending offline zset
-- KEYS[7] the session's user-side tombstone
-- ARGV[1] userId    ARGV[2] sessionId    ARGV[3] now (ms)    ARGV[4] repair due (ms)
-- ARGV[5] the user's presence channel    ARGV[6] grace (ms)    ARGV[7] presence retention (s)
-- ARGV[8] tombstone (s)
-- Returns {status 'CLOSED'|'UNKNOWN', record|false, sessionCount, roomId|false,
-- lastSeenAt|false, pending 0|1, seq, op, ...}.

local ukey, uid, sid, now, due, channel = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local grace = tonumber(ARGV[6])
redis.call('SET', KEYS[7], '1', 'EX', ARGV[8])
emit(now, 's:' .. sid, 'X', sid)

local sessions, raw, fields = read_user(ukey)
local rec = sessions[sid]
if not rec then return with_ops({ 'UNKNOWN', false, 0, false, false, 0 }, uid, due) end

local before = summarize(sessions)
sessions[sid] = nil
redis.call('HDEL', ukey, 's:' .. sid)
if rec.n then redis.call('ZREM', KEYS[4], rec.n .. '\n' .. sid .. '\n' .. uid)
else redis.call('ZREM', KEYS[5], uid .. '\n' .. sid) end
local after = summarize(sessions)
store_summary(ukey, after)

local last, pending = fields.last or false, 0
if after.count > 0 then
  emit_presence(uid, now, channel, 'OFFLINE', 'ONLINE', after.count, missing_from(before.guilds, after.guilds), now, false)
elseif grace > 0 then
  redis.call('HSET', ukey, 'pend', now)
  redis.call('ZADD', KEYS[6], now + grace, uid)
  pending = 1
else
  if fields.vg then
    redis.call('HDEL', ukey, 'vg', 'vc')
    emit_voice(now, 'LEFT', fields.vg, fields.vc, false, uid)
  end
  redis.call('HSET', ukey, 'last', now)
  redis.call('EXPIRE', ukey, ARGV[7])
  emit_presence(uid, now, channel, 'OFFLINE', 'ONLINE', 0, sorted_keys(before.guilds), now, true)
  last = now
end
return with_ops({ 'CLOSED', raw[sid], after.count, after.room, last, pending }, uid, due)
