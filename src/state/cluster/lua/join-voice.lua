-- joinVoice, user step (the user's partition). A user is in at most one
-- channel: another channel of the same guild is one MOVED; a channel of
-- another guild is LEFT there and JOINED here. An event older (source
-- time) than the last one applied for the user is ignored. The guilds'
-- voice views change through the outbox, where each gets its version.
-- KEYS[1] user hash    KEYS[2] outbox hash    KEYS[3] outbox due zset
-- ARGV[1] userId    ARGV[2] guildId    ARGV[3] channelId    ARGV[4] now (ms)
-- ARGV[5] source time (ms) or ''    ARGV[6] repair due (ms)
-- Returns {changed 0|1, type|false, previousChannelId|false, seq, op, ...}.

local ukey, uid, gid, cid, now, at, due = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local current = redis.call('HMGET', ukey, 'vg', 'vc', 'vt')
local vg, vc, vt = current[1], current[2], current[3]
if at ~= '' and vt and tonumber(at) < tonumber(vt) then return with_ops({ 0, false, false }, uid, due) end
if at ~= '' then redis.call('HSET', ukey, 'vt', at) end
if vg == gid and vc == cid then return with_ops({ 0, false, false }, uid, due) end

if vg == gid then
  redis.call('HSET', ukey, 'vc', cid)
  emit_voice(now, 'MOVED', gid, cid, vc, uid)
  return with_ops({ 1, 'MOVED', vc }, uid, due)
end
if vg then emit_voice(now, 'LEFT', vg, vc, false, uid) end
redis.call('HSET', ukey, 'vg', gid, 'vc', cid)
-- Voice state is live state: it must not expire with an offline user's record.
redis.call('PERSIST', ukey)
emit_voice(now, 'JOINED', gid, cid, false, uid)
return with_ops({ 1, 'JOINED', false }, uid, due)
