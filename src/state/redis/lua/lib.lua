-- Helpers shared by every script; scripts.ts prepends this file to each one.
-- ARGV[1] is always the key prefix. Key and topic names mirror keys.ts and
-- src/pubsub/topics.ts; they are built here only for keys a script learns
-- while it runs (the user behind a session id, the guild a user is in).

local PREFIX = ARGV[1]

local function user_key(uid) return PREFIX .. 'user:{' .. uid .. '}' end
local function voice_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:voice' end
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

-- A user hash holds each session under 's:<sessionId>' as JSON
-- {g = guild ids, r = room id, n = node id, t = connected at, q = sequence};
-- absent fields are omitted, never null. Other fields are returned as-is.
local function read_user(ukey)
  local flat = redis.call('HGETALL', ukey)
  local sessions, raw, fields = {}, {}, {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if string.sub(f, 1, 2) == 's:' then
      local sid = string.sub(f, 3)
      raw[sid] = flat[i + 1]
      sessions[sid] = cjson.decode(flat[i + 1])
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
end

-- One event per step and direction; the user's own topic only gets it when
-- the user as a whole changes state.
local function publish_presence(uid, state, previous, count, guild_list, at, user_changed)
  if #guild_list == 0 and not user_changed then return end
  local payload = '{"userId":' .. cjson.encode(uid) .. ',"state":"' .. state ..
    '","previousState":"' .. previous .. '","sessionCount":' .. count ..
    ',"guildIds":' .. json_array(guild_list) .. ',"at":' .. at .. '}'
  if user_changed then publish('presence:user:' .. uid, payload) end
  for _, g in ipairs(guild_list) do publish('presence:guild:' .. g, payload) end
end

local function publish_voice(kind, gid, cid, previous, uid, at)
  publish('voice:guild:' .. gid, '{"changed":true,"type":"' .. kind .. '","guildId":' ..
    cjson.encode(gid) .. ',"channelId":' .. json_or_null(cid) .. ',"previousChannelId":' ..
    json_or_null(previous) .. ',"userId":' .. cjson.encode(uid) .. ',"at":' .. at .. '}')
end

local function publish_room_out(rid, uid, at)
  local payload = '{"type":"ROOM_OUT","roomId":' .. cjson.encode(rid) .. ',"userId":' ..
    cjson.encode(uid) .. ',"targetUserId":null,"alertCount":null,"message":null,"at":' .. at .. '}'
  publish('room:' .. rid, payload)
  publish('rooms', payload)
end

-- Ends the user's voice membership (vg/vc in the user hash) with a LEFT event.
local function end_voice(ukey, uid, vg, vc, at)
  redis.call('HDEL', voice_key(vg), uid)
  redis.call('HDEL', ukey, 'vg', 'vc')
  publish_voice('LEFT', vg, vc, false, uid, at)
end
