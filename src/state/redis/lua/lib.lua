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

-- n, room and g (the guilds of the live sessions, '\n'-joined; ids hold no
-- line breaks) let connectionStates read a user with one HMGET. g keeps the
-- last guilds while offline, so guild members still see lastSeenAt.
local function store_summary(ukey, s)
  redis.call('HSET', ukey, 'n', s.count)
  if s.room then redis.call('HSET', ukey, 'room', s.room) else redis.call('HDEL', ukey, 'room') end
  if s.count > 0 then
    local guilds = sorted_keys(s.guilds)
    if #guilds > 0 then redis.call('HSET', ukey, 'g', table.concat(guilds, '\n')) else redis.call('HDEL', ukey, 'g') end
  end
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
end

-- Ends the user's voice membership (vg/vc in the user hash) with a LEFT event.
local function end_voice(ukey, uid, vg, vc, at)
  redis.call('HDEL', voice_key(vg), uid)
  redis.call('HDEL', ukey, 'vg', 'vc')
  publish_voice('LEFT', vg, vc, false, uid, at)
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

-- Credits [ts, until) to each day it covers (the caller checked the calendar
-- reaches ts). The timer then restarts at `until` (keep) or stops.
local function settle_timer(uid, ts, until_ms, days, retention, now, keep)
  if keep then
    redis.call('HSET', user_key(uid), 'ts', until_ms)
    redis.call('ZADD', timers_key(), until_ms, uid)
  else
    redis.call('HDEL', user_key(uid), 'ts')
    redis.call('ZREM', timers_key(), uid)
  end
  for _, p in ipairs(split(days, ts, until_ms)) do
    set_total(uid, p[1], math.min(MAX_DAY_SECONDS, stored(uid, p[1]) + p[2]), retention)
    publish_study(uid, p[1], days, now)
  end
end
