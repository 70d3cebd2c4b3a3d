-- Opening and closing sessions on the user hash (records: session-records.lua).

-- ctx: { now (ms), retention (s), days (calendar), study_retention (s),
--        tombstone (s), grace (ms), lease (ms, a node's default lease) }

-- Everything going offline means: voice ends, the timer stops at `at`, the
-- guilds stop seeing the user, the OFFLINE event, the retention clock.
-- `fields`: the user's fields while still online (a live session or a
-- held-back OFFLINE). Returns the fields after.
local function go_offline(uid, ukey, fields, at, ctx)
  if fields.vg then end_voice(ukey, uid, fields.vg, fields.vc, at) end
  local ts = fields.ts and tonumber(fields.ts)
  if ts then settle_timer(uid, ts, math.max(ts, tonumber(at)), ctx_days(ctx), ctx.study_retention, ctx.now, false) end
  redis.call('HSET', ukey, 'last', at)
  redis.call('HDEL', ukey, 'pend')
  redis.call('ZREM', PENDING, uid)
  redis.call('EXPIRE', ukey, ctx.retention)
  local after = offline_fields(fields, at)
  publish_changes(uid, ukey, changes_between(fields, after), at)
  return after
end

-- Opens session sid of uid, or updates it when its guilds, room or node
-- changed. Returns status ('CHANGED', 'SAME', 'OWNED' by another user,
-- 'TOMB' for a session already closed), the stored record, the summary
-- after and the user's other fields.
local function open_session(uid, sid, content, ctx)
  if redis.call('EXISTS', tomb_key(sid)) == 1 then return 'TOMB' end
  local ikey = session_key(sid)
  local owner = redis.call('HGET', ikey, sid)
  if owner and owner ~= uid then return 'OWNED' end

  local ukey = user_key(uid)
  local sessions, raw, fields = read_user(ukey)
  local before = summarize(sessions)
  -- A user whose OFFLINE is held back is still online to everyone.
  local pending = before.count == 0 and fields.pend ~= nil

  local old = sessions[sid]
  local incoming = decode_session(content, 0)
  if old and same_session(old, incoming) then
    return 'SAME', raw[sid], before, fields
  end

  -- Every field of the user hash this changes goes in one HSET (q, the
  -- summary): each redis.call costs about as much as the Lua around it.
  incoming.t = old and old.t or ctx.now
  incoming.q = tonumber(fields.q or '0') + 1
  local record = encode_session(incoming)
  if owner ~= uid then redis.call('HSET', ikey, sid, uid) end
  -- Only an offline user's record can have a TTL; a new user has no hash yet.
  if before.count == 0 and next(fields) ~= nil then redis.call('PERSIST', ukey) end
  if old and old.n and old.n ~= incoming.n then node_remove(old.n, sid) end
  if incoming.n then
    if not (old and old.n == incoming.n) then node_add(incoming.n, sid) end
    -- A node's lease starts with its first session, so a gateway that never
    -- sends a heartbeat still has its sessions reaped.
    redis.call('ZADD', NODES, 'NX', ctx.now + ctx.lease, incoming.n)
    if old and not old.n then redis.call('ZREM', UNLEASED, sid) end
  else
    redis.call('ZADD', UNLEASED, incoming.t, sid)
  end
  if pending then redis.call('ZREM', PENDING, uid) end
  sessions[sid] = incoming

  local after = summarize(sessions)
  local now_fields = summary_fields(fields, after)
  local set = { 's:' .. sid, record, 'q', incoming.q, 'n', after.count, 'sa', after.code }
  local drop = {}
  if pending then drop[#drop + 1] = 'pend' end
  if after.room then set[#set + 1] = 'room'; set[#set + 1] = after.room elseif fields.room then drop[#drop + 1] = 'room' end
  if now_fields.g then set[#set + 1] = 'g'; set[#set + 1] = now_fields.g elseif fields.g then drop[#drop + 1] = 'g' end
  redis.call('HSET', ukey, unpack(set))
  if #drop > 0 then redis.call('HDEL', ukey, unpack(drop)) end

  publish_changes(uid, ukey, changes_between(fields, now_fields), ctx.now)
  for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, ctx.now) end
  return 'CHANGED', record, after, now_fields
end

-- Closes session sid and leaves a tombstone, so a CONNECT that arrives
-- late is ignored. Returns status ('CLOSED' or 'UNKNOWN'), the user id, the
-- record, the summary after and lastSeenAt.
local function close_session(sid, ctx)
  redis.call('SET', tomb_key(sid), '1', 'EX', ctx.tombstone)
  local ikey = session_key(sid)
  local uid = redis.call('HGET', ikey, sid)
  if not uid then return 'UNKNOWN' end
  redis.call('HDEL', ikey, sid)

  local ukey = user_key(uid)
  local sessions, raw, fields = read_user(ukey)
  local rec = sessions[sid]
  if not rec then return 'UNKNOWN' end

  local before = summarize(sessions)
  sessions[sid] = nil
  redis.call('HDEL', ukey, 's:' .. sid)
  -- The last close, for presenceExplain: one short field keeps the hash a listpack.
  redis.call('HSET', ukey, 'rc', sid .. '\t' .. ctx.now)
  if rec.n then node_remove(rec.n, sid) else redis.call('ZREM', UNLEASED, sid) end
  local after = summarize(sessions)
  store_summary(ukey, after)
  for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, ctx.now) end

  local last = fields.last or false
  local now_fields
  if after.count > 0 then
    now_fields = summary_fields(fields, after)
    publish_changes(uid, ukey, changes_between(fields, now_fields), ctx.now)
  elseif ctx.grace > 0 then
    -- Held back: the user shows what their last session showed until then.
    redis.call('HSET', ukey, 'pend', ctx.now)
    redis.call('ZADD', PENDING, ctx.now + ctx.grace, uid)
    now_fields = with_fields(fields, { n = '0', pend = tostring(ctx.now), room = false })
  else
    now_fields = go_offline(uid, ukey, fields, ctx.now, ctx)
    last = ctx.now
  end
  return 'CLOSED', uid, raw[sid], after, last, now_fields
end
