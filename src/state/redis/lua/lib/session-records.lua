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

-- A user's presence as snapshots read it, appended to `out`: userId,
-- sessionCount, pending 0|1, guilds ('\n'-joined), version (session-codec.ts decodes it).
local function append_presence(out, ukey, uid)
  local f = redis.call('HMGET', ukey, 'n', 'pend', 'g', 'pv')
  out[#out + 1] = uid
  out[#out + 1] = tonumber(f[1] or '0')
  out[#out + 1] = f[2] and 1 or 0
  out[#out + 1] = f[3] or ''
  out[#out + 1] = tonumber(f[4] or '0')
end

-- A user's connection fields as connectionStates reads them: one record
-- 'sessionCount\31room\31lastSeenAt\31pending\31guilds\30' (room, lastSeenAt
-- and guilds empty when absent, pending '1' or empty; session-codec.ts decodes it).
local function connection_record(ukey)
  local f = redis.call('HMGET', ukey, 'n', 'room', 'last', 'pend', 'g')
  return (f[1] or '0') .. '\31' .. (f[2] or '') .. '\31' .. (f[3] or '') .. '\31' .. (f[4] and '1' or '') .. '\31' .. (f[5] or '') .. '\30'
end
