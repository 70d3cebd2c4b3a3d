-- Sessions. A user hash holds each session under 's:<sessionId>' as
-- 'q\ntF\nn\nr\ng1\ng2...' (sequence, connected at with the session's
-- flags F right after the digits, node id, room id, guild ids; node and room
-- empty when absent). Flags (lib/status.lua): 'i' idle, a platform letter;
-- none for an active session of no known platform, so records written
-- before flags existed read the same. Ids hold no control characters, so
-- '\n' is free to separate them; with typical ids the record stays under
-- hash-max-listpack-value (64 bytes), where JSON would push the whole user
-- hash out of the compact listpack encoding. Other fields: n (session count),
-- room, g (guilds, '\n'-joined; kept while offline), last (lastSeenAt),
-- pend (went offline at, while PRESENCE_GRACE_MS holds the OFFLINE back),
-- vg/vc/vt (voice guild, channel, last source time), ts (study timer start),
-- pv (presence version), q (sequence), sa (the sessions' activity and
-- platforms, lib/status.lua; kept while an OFFLINE is held back), st (chosen
-- status when not ONLINE), cs (custom status JSON), vl (lastSeenAt users see
-- while st is INVISIBLE), rc (the last close, 'sessionId\tclosedAt').

-- Splits on '\n', keeping empty parts.
local function split_fields(text)
  local out = {}
  for part in string.gmatch(text .. '\n', '([^\n]*)\n') do out[#out + 1] = part end
  return out
end

-- Session content as TypeScript sends it ('F\nn\nr\ng1\ng2...', F its
-- flags), or a stored record ('q\ntF\nn\nr\ng1...', skip = 2).
local function decode_session(text, skip)
  local p = split_fields(text)
  local rec = {}
  if skip == 2 then
    local t, f = string.match(p[2], '^(%d+)(%a*)$')
    rec.q, rec.t, rec.f = tonumber(p[1]), tonumber(t), f
  else
    rec.f, skip = p[1], 1
  end
  if p[skip + 1] ~= '' then rec.n = p[skip + 1] end
  if p[skip + 2] ~= '' then rec.r = p[skip + 2] end
  if #p > skip + 2 then
    rec.g = {}
    for i = skip + 3, #p do rec.g[#rec.g + 1] = p[i] end
  end
  return rec
end

local function encode_session(rec)
  local out = { rec.q, rec.t .. (rec.f or ''), rec.n or '', rec.r or '' }
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

-- Same content: guilds, room, node and flags.
local function same_session(a, b)
  return table.concat(a.g or {}, '\n') == table.concat(b.g or {}, '\n') and a.r == b.r and a.n == b.n and (a.f or '') == (b.f or '')
end

-- Session count, guild and room sets, the room of the newest session naming
-- one, and the sessions' activity code (activity_code, lib/status.lua).
local function summarize(sessions)
  local s = { count = 0, guilds = {}, rooms = {}, room = false }
  local room_q = -1
  s.code = activity_code(sessions)
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
    redis.call('HSET', ukey, 'sa', s.code)
    local guilds = sorted_keys(s.guilds)
    if #guilds > 0 then redis.call('HSET', ukey, 'g', table.concat(guilds, '\n')) else redis.call('HDEL', ukey, 'g') end
  end
end

-- A user's presence as snapshots read it, appended to `out`: userId,
-- sessionCount, pending 0|1, guilds ('\n'-joined), version, chosen status,
-- activity code, custom status (session-codec.ts decodes it).
local function append_presence(out, ukey, uid)
  local f = presence_fields(ukey)
  out[#out + 1] = uid
  out[#out + 1] = tonumber(f.n or '0')
  out[#out + 1] = f.pend and 1 or 0
  out[#out + 1] = f.g or ''
  out[#out + 1] = tonumber(f.pv or '0')
  out[#out + 1] = f.st or ''
  out[#out + 1] = f.sa or ''
  out[#out + 1] = f.cs or ''
end

-- A user's connection fields as connectionStates reads them: one record
-- 'sessionCount\31room\31lastSeenAt\31pending\31guilds\31st\31cs\31sa\31vl\30'
-- (absent fields empty, pending '1' or empty; session-codec.ts decodes it).
local function connection_record_of(f)
  return table.concat({ f.n or '0', f.room or '', f.last or '', f.pend and '1' or '', f.g or '', f.st or '', f.cs or '', f.sa or '', f.vl or '' }, '\31') .. '\30'
end

-- connection_record_of(presence_fields(ukey)) without the table of names:
-- connectionStates reads a thousand users in one call.
local CONNECTION_FIELDS = { 'n', 'room', 'last', 'pend', 'g', 'st', 'cs', 'sa', 'vl' }
local function connection_record(ukey)
  local f = redis.call('HMGET', ukey, unpack(CONNECTION_FIELDS))
  for i = 1, 9 do
    if not f[i] then f[i] = '' end
  end
  if f[1] == '' then f[1] = '0' end
  if f[4] ~= '' then f[4] = '1' end
  return table.concat(f, '\31') .. '\30'
end
