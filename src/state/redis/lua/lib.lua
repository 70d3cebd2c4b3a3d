-- Helpers shared by every script; scripts.ts prepends this file to each one.
-- ARGV[1] is always the key prefix. Key and topic names mirror keys.ts and
-- src/state/topics.ts; they are built here for keys a script only learns
-- while it runs (the user behind a session id, the guild a user is in).

local PREFIX = ARGV[1]

local function user_key(uid) return PREFIX .. 'user:{' .. uid .. '}' end
-- A string hash of an id's bytes into n buckets (keys.ts computes the same).
local function bucket_of(id, n)
  local h = 0
  for i = 1, #id do h = (h * 31 + string.byte(id, i)) % n end
  return h
end
-- sessionId -> userId lives in one of SESSION_BUCKETS small hashes: a few
-- entries per hash keep it a compact listpack, far smaller than a key per
-- session.
local SESSION_BUCKETS = 16384
local function session_key(sid) return PREFIX .. 'sessions:{' .. bucket_of(sid, SESSION_BUCKETS) .. '}' end
-- A gateway node's session ids are spread the same way over NODE_BUCKETS
-- hashes (sessionId -> ''): up to ~30,000 sessions a node they stay
-- listpacks, about 20 bytes a session where one set took 60.
local NODE_BUCKETS = 256
local function node_bucket_key(nid, b) return PREFIX .. 'node:{' .. nid .. '}:sessions:' .. b end
local function node_add(nid, sid) redis.call('HSET', node_bucket_key(nid, bucket_of(sid, NODE_BUCKETS)), sid, '') end
local function node_remove(nid, sid) redis.call('HDEL', node_bucket_key(nid, bucket_of(sid, NODE_BUCKETS)), sid) end
-- Up to `limit` of the node's session ids (all when nil).
local function node_sessions(nid, limit)
  local out = {}
  for b = 0, NODE_BUCKETS - 1 do
    for _, sid in ipairs(redis.call('HKEYS', node_bucket_key(nid, b))) do
      if limit and #out >= limit then return out end
      out[#out + 1] = sid
    end
  end
  return out
end
local function tomb_key(sid) return PREFIX .. 'tomb:{' .. sid .. '}' end
local function voice_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:voice' end
local function voice_version_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:voice:v' end
local function online_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:online' end
local NODES = PREFIX .. 'nodes'
local UNLEASED = PREFIX .. 'sessions:unleased'
local PENDING = PREFIX .. 'presence:pending'
local function publish(topic, payload) redis.call('PUBLISH', PREFIX .. topic, payload) end

-- cjson encodes an empty table as {}, so arrays are written by hand.
local function json_array(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = cjson.encode(v) end
  return '[' .. table.concat(out, ',') .. ']'
end

local function json_or_null(v)
  if v then return cjson.encode(v) end
  return 'null'
end

local function sorted_keys(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- Keys of set a that are not in set b, sorted.
local function missing_from(a, b)
  local out = {}
  for k in pairs(a) do
    if not b[k] then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- Ids hold no line breaks, so '\n' joins lists of them.
local function split_lines(text)
  local out = {}
  if text then for item in string.gmatch(text, '[^\n]+') do out[#out + 1] = item end end
  return out
end

local function set_of(list)
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  return set
end

-- Study time. Each day has a totals hash (userId -> seconds) and a members
-- zset (all scores 0, so ZRANGEBYLEX pages by user id); both share the day's
-- hash tag. A running timer's start is `ts` in the user hash and its score in
-- the timers zset.

local MAX_DAY_SECONDS = 86400

local function totals_key(day) return PREFIX .. 'study:{' .. day .. '}:totals' end
local function members_key(day) return PREFIX .. 'study:{' .. day .. '}:users' end
local function timers_key() return PREFIX .. 'study:timers' end

-- The calendar ARGV: 'day,start,day,start,...', oldest first; the last day
-- is the current one. Zone arithmetic stays in TypeScript.
local function parse_calendar(text)
  local days = {}
  for day, start in string.gmatch(text, '([^,]+),([^,]+)') do days[#days + 1] = { day, tonumber(start) } end
  return days
end

-- Whole seconds of [from, to) per day, counted as clock ticks so parts add
-- up exactly; nil when `from` is older than the calendar reaches.
local function split(days, from, to)
  if from < days[1][2] then return nil end
  local parts = {}
  for i, d in ipairs(days) do
    local a, b = math.max(from, d[2]), to
    if days[i + 1] then b = math.min(to, days[i + 1][2]) end
    local seconds = math.floor(b / 1000) - math.floor(a / 1000)
    if b > a and seconds > 0 then parts[#parts + 1] = { d[1], seconds } end
  end
  return parts
end

local function stored(uid, day)
  return tonumber(redis.call('HGET', totals_key(day), uid) or '0')
end

local function set_total(uid, day, seconds, retention)
  local tkey, mkey = totals_key(day), members_key(day)
  redis.call('HSET', tkey, uid, seconds)
  redis.call('ZADD', mkey, 0, uid)
  redis.call('EXPIRE', tkey, retention)
  redis.call('EXPIRE', mkey, retention)
end

local function timer_start(uid)
  local ts = redis.call('HGET', user_key(uid), 'ts')
  if ts then return tonumber(ts) end
  return false
end

-- A day's total including a running timer's time, as queries report it.
local function live_seconds(uid, day, days, now)
  local seconds, ts = stored(uid, day), timer_start(uid)
  if ts then
    for _, p in ipairs(split(days, math.max(ts, days[1][2]), now)) do
      if p[1] == day then seconds = seconds + p[2] end
    end
  end
  return math.min(MAX_DAY_SECONDS, seconds), ts ~= false
end

local function publish_study(uid, day, days, now)
  local seconds, running = live_seconds(uid, day, days, now)
  publish('study:user:' .. uid, '{"userId":' .. cjson.encode(uid) .. ',"day":"' .. day ..
    '","seconds":' .. seconds .. ',"running":' .. tostring(running) .. '}')
end

-- Credits [ts, until) to each day it covers, then restarts the timer at
-- `until` (keep) or stops it. Callers make the calendar reach ts; time
-- before the calendar's first day is never credited to a wrong day.
local function settle_timer(uid, ts, until_ms, days, retention, now, keep)
  if keep then
    redis.call('HSET', user_key(uid), 'ts', until_ms)
    redis.call('ZADD', timers_key(), until_ms, uid)
  else
    redis.call('HDEL', user_key(uid), 'ts')
    redis.call('ZREM', timers_key(), uid)
  end
  for _, p in ipairs(split(days, math.max(ts, days[1][2]), until_ms)) do
    set_total(uid, p[1], math.min(MAX_DAY_SECONDS, stored(uid, p[1]) + p[2]), retention)
    publish_study(uid, p[1], days, now)
  end
end

-- Events. Presence events carry the user's version, voice events the
-- guild's, so a subscriber that read a snapshot can drop what it already has.

local function publish_presence(uid, ukey, state, previous, count, guild_list, at, user_changed)
  if #guild_list == 0 and not user_changed then return end
  local version = redis.call('HINCRBY', ukey, 'pv', 1)
  local payload = '{"userId":' .. cjson.encode(uid) .. ',"state":"' .. state ..
    '","previousState":"' .. previous .. '","sessionCount":' .. count ..
    ',"guildIds":' .. json_array(guild_list) .. ',"at":' .. at .. ',"version":' .. version .. ',"snapshot":false}'
  if user_changed then publish('presence:user:' .. uid, payload) end
  for _, g in ipairs(guild_list) do publish('presence:guild:' .. g, payload) end
end

local function publish_voice(kind, gid, cid, previous, uid, at)
  local version = redis.call('INCR', voice_version_key(gid))
  publish('voice:guild:' .. gid, '{"changed":true,"type":"' .. kind .. '","guildId":' ..
    cjson.encode(gid) .. ',"channelId":' .. json_or_null(cid) .. ',"previousChannelId":' ..
    json_or_null(previous) .. ',"userId":' .. cjson.encode(uid) .. ',"at":' .. at ..
    ',"version":' .. version .. ',"snapshot":false}')
  return version
end

local function publish_room_out(rid, uid, at)
  publish('room:' .. rid, '{"type":"ROOM_OUT","roomId":' .. cjson.encode(rid) .. ',"userId":' ..
    cjson.encode(uid) .. ',"targetUserId":null,"alertCount":null,"message":null,"at":' .. at .. '}')
end

-- Ends the user's voice membership (vg/vc in the user hash) with a LEFT event.
local function end_voice(ukey, uid, vg, vc, at)
  redis.call('HDEL', voice_key(vg), uid)
  redis.call('HDEL', ukey, 'vg', 'vc')
  publish_voice('LEFT', vg, vc, false, uid, at)
end

-- Sessions. A user hash holds each session under 's:<sessionId>' as
-- 'q\nt\nn\nr\ng1\ng2...' (sequence, connected at, node id, room id, guild
-- ids; node and room empty when absent). Ids hold no control characters, so
-- '\n' is free to separate them; with typical ids the record stays under
-- hash-max-listpack-value (64 bytes), where JSON would push the whole user
-- hash out of the compact listpack encoding. Other fields: n (session count),
-- room, g (guilds, '\n'-joined; kept while offline), last (lastSeenAt),
-- pend (went offline at, while PRESENCE_GRACE_MS holds the OFFLINE back),
-- vg/vc/vt (voice guild, channel, last source time), ts (study timer start),
-- pv (presence version), q (sequence).

-- Splits on '\n', keeping empty parts.
local function split_fields(text)
  local out = {}
  for part in string.gmatch(text .. '\n', '([^\n]*)\n') do out[#out + 1] = part end
  return out
end

-- Session content as TypeScript sends it ('n\nr\ng1\ng2...'), or a stored
-- record with 'q\nt\n' in front (skip = 2).
local function decode_session(text, skip)
  local p = split_fields(text)
  local rec = {}
  if skip == 2 then rec.q, rec.t = tonumber(p[1]), tonumber(p[2]) end
  if p[skip + 1] ~= '' then rec.n = p[skip + 1] end
  if p[skip + 2] ~= '' then rec.r = p[skip + 2] end
  if #p > skip + 2 then
    rec.g = {}
    for i = skip + 3, #p do rec.g[#rec.g + 1] = p[i] end
  end
  return rec
end

local function encode_session(rec)
  local out = { rec.q, rec.t, rec.n or '', rec.r or '' }
  for _, g in ipairs(rec.g or {}) do out[#out + 1] = g end
  return table.concat(out, '\n')
end

local function read_user(ukey)
  local flat = redis.call('HGETALL', ukey)
  local sessions, raw, fields = {}, {}, {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if string.sub(f, 1, 2) == 's:' then
      local sid = string.sub(f, 3)
      raw[sid] = flat[i + 1]
      sessions[sid] = decode_session(flat[i + 1], 2)
    else
      fields[f] = flat[i + 1]
    end
  end
  return sessions, raw, fields
end

-- Session count, guild and room sets, and the room of the newest session naming one.
local function summarize(sessions)
  local s = { count = 0, guilds = {}, rooms = {}, room = false }
  local room_q = -1
  for _, rec in pairs(sessions) do
    s.count = s.count + 1
    if rec.g then
      for _, g in ipairs(rec.g) do s.guilds[g] = true end
    end
    if rec.r then
      s.rooms[rec.r] = true
      if rec.q > room_q then s.room, room_q = rec.r, rec.q end
    end
  end
  return s
end

local function store_summary(ukey, s)
  redis.call('HSET', ukey, 'n', s.count)
  if s.room then redis.call('HSET', ukey, 'room', s.room) else redis.call('HDEL', ukey, 'room') end
  if s.count > 0 then
    local guilds = sorted_keys(s.guilds)
    if #guilds > 0 then redis.call('HSET', ukey, 'g', table.concat(guilds, '\n')) else redis.call('HDEL', ukey, 'g') end
  end
end

-- ctx: { now (ms), retention (s), days (calendar), study_retention (s),
--        tombstone (s), grace (ms), lease (ms, a node's default lease) }

-- Everything going offline means: voice ends, the timer stops at `at`, the
-- guilds stop seeing the user, the OFFLINE event, the retention clock.
local function go_offline(uid, ukey, fields, at, guilds, ctx)
  if fields.vg then end_voice(ukey, uid, fields.vg, fields.vc, at) end
  local ts = fields.ts and tonumber(fields.ts)
  if ts then settle_timer(uid, ts, math.max(ts, tonumber(at)), ctx.days, ctx.study_retention, ctx.now, false) end
  for _, g in ipairs(guilds) do redis.call('SREM', online_key(g), uid) end
  redis.call('HSET', ukey, 'last', at)
  redis.call('HDEL', ukey, 'pend')
  redis.call('ZREM', PENDING, uid)
  redis.call('EXPIRE', ukey, ctx.retention)
  publish_presence(uid, ukey, 'OFFLINE', 'ONLINE', 0, guilds, at, true)
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
  local before_guilds = before.guilds
  if pending then before_guilds = set_of(split_lines(fields.g)) end

  local old = sessions[sid]
  local incoming = decode_session(content, 0)
  if old and table.concat(old.g or {}, '\n') == table.concat(incoming.g or {}, '\n')
    and old.r == incoming.r and old.n == incoming.n then
    return 'SAME', raw[sid], before, fields
  end

  incoming.t = old and old.t or ctx.now
  incoming.q = redis.call('HINCRBY', ukey, 'q', 1)
  local record = encode_session(incoming)
  redis.call('HSET', ukey, 's:' .. sid, record)
  redis.call('HSET', ikey, sid, uid)
  redis.call('PERSIST', ukey)
  if old and old.n and old.n ~= incoming.n then node_remove(old.n, sid) end
  if incoming.n then
    node_add(incoming.n, sid)
    -- A node's lease starts with its first session, so a gateway that never
    -- sends a heartbeat still has its sessions reaped.
    redis.call('ZADD', NODES, 'NX', ctx.now + ctx.lease, incoming.n)
    redis.call('ZREM', UNLEASED, sid)
  else
    redis.call('ZADD', UNLEASED, incoming.t, sid)
  end
  if pending then
    redis.call('HDEL', ukey, 'pend')
    redis.call('ZREM', PENDING, uid)
  end
  sessions[sid] = incoming

  local after = summarize(sessions)
  store_summary(ukey, after)
  local added, removed = missing_from(after.guilds, before_guilds), missing_from(before_guilds, after.guilds)
  for _, g in ipairs(added) do redis.call('SADD', online_key(g), uid) end
  for _, g in ipairs(removed) do redis.call('SREM', online_key(g), uid) end
  publish_presence(uid, ukey, 'ONLINE', 'OFFLINE', after.count, added, ctx.now, before.count == 0 and not pending)
  publish_presence(uid, ukey, 'OFFLINE', 'ONLINE', after.count, removed, ctx.now, false)
  for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, ctx.now) end
  return 'CHANGED', record, after, fields
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
  if rec.n then node_remove(rec.n, sid) else redis.call('ZREM', UNLEASED, sid) end
  local after = summarize(sessions)
  store_summary(ukey, after)
  for _, rid in ipairs(missing_from(before.rooms, after.rooms)) do publish_room_out(rid, uid, ctx.now) end

  local last = fields.last or false
  if after.count > 0 then
    local removed = missing_from(before.guilds, after.guilds)
    for _, g in ipairs(removed) do redis.call('SREM', online_key(g), uid) end
    publish_presence(uid, ukey, 'OFFLINE', 'ONLINE', after.count, removed, ctx.now, false)
  elseif ctx.grace > 0 then
    redis.call('HSET', ukey, 'pend', ctx.now)
    redis.call('ZADD', PENDING, ctx.now + ctx.grace, uid)
  else
    go_offline(uid, ukey, fields, ctx.now, sorted_keys(before.guilds), ctx)
    last = ctx.now
  end
  return 'CLOSED', uid, raw[sid], after, last
end

-- The ctx of scripts whose ARGV carry, from index i: now, presence
-- retention, calendar, study retention, tombstone seconds, grace ms,
-- default node lease ms.
local function read_ctx(i)
  return {
    now = tonumber(ARGV[i]),
    retention = ARGV[i + 1],
    days = parse_calendar(ARGV[i + 2]),
    study_retention = ARGV[i + 3],
    tombstone = ARGV[i + 4],
    grace = tonumber(ARGV[i + 5]),
    lease = tonumber(ARGV[i + 6]),
  }
end
