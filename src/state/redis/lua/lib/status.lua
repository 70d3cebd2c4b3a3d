-- Status (docs/semantics.md, "Status"): what a user shows, merged from their
-- sessions' activity and platforms (the 'sa' code), their chosen status (st)
-- and their custom status (cs), and the presence events a change of it
-- causes. TypeScript mirrors it in src/state/status.ts; the contract suite
-- holds them together.

local PLATFORM_LETTERS = { 'd', 'm', 'w' }
local PLATFORM_NAMES = { d = 'DESKTOP', m = 'MOBILE', w = 'WEB' }

-- The sessions' part of a status: 'a' when any session is active, else 'i',
-- then the letters of the platforms on line, in order.
-- Plain finds, no pattern iterators: this runs twice in every connect and close.
local function activity_code(sessions)
  local active, d, m, w = false, false, false, false
  for _, rec in pairs(sessions) do
    local f = rec.f
    if not f or f == '' then active = true
    else
      if not string.find(f, 'i', 1, true) then active = true end
      d = d or string.find(f, 'd', 1, true) ~= nil
      m = m or string.find(f, 'm', 1, true) ~= nil
      w = w or string.find(f, 'w', 1, true) ~= nil
    end
  end
  return (active and 'a' or 'i') .. (d and 'd' or '') .. (m and 'm' or '') .. (w and 'w' or '')
end

-- The user fields presence reads need (presence_view, connection_record_of).
local PRESENCE_FIELDS = { 'n', 'room', 'last', 'pend', 'g', 'st', 'cs', 'sa', 'vl', 'pv' }

local function presence_fields(ukey)
  local values = redis.call('HMGET', ukey, unpack(PRESENCE_FIELDS))
  local f = {}
  for i, name in ipairs(PRESENCE_FIELDS) do f[name] = values[i] end
  return f
end

-- A user's presence from their hash fields (n, pend, sa, st, cs, g). `status`
-- is the truth services see (INVISIBLE included); `visible` whether guilds
-- see them online. Offline, nobody is shown platforms or a custom status.
local function presence_view(f)
  local online = tonumber(f.n or '0') > 0 or (f.pend or false) ~= false
  local v = { online = online, status = 'OFFLINE', platforms = {}, cs = false, guilds = {}, count = tonumber(f.n or '0') }
  if online then
    local code = f.sa or 'a'
    if #code > 1 then
      for _, l in ipairs(PLATFORM_LETTERS) do
        if string.find(code, l, 2, true) then v.platforms[#v.platforms + 1] = PLATFORM_NAMES[l] end
      end
    end
    if f.st then v.status = f.st elseif string.sub(code, 1, 1) == 'i' then v.status = 'IDLE' else v.status = 'ONLINE' end
    v.cs = f.cs or false
    v.guilds = set_of(split_lines(f.g))
  end
  v.visible = online and v.status ~= 'INVISIBLE'
  return v
end

-- Whether a stored custom status (JSON) has an expiry at or before `now`.
local function custom_status_expired(cs, now)
  if not cs then return false end
  local at = cjson.decode(cs).expiresAt
  return type(at) == 'number' and at <= now
end

-- `fields` with some replaced (false removes one): the fields after a step's writes.
local function with_fields(fields, changes)
  local out = {}
  for k, v in pairs(fields) do out[k] = v end
  for k, v in pairs(changes) do out[k] = v end
  return out
end

-- The events from view b to view a, as groups for the caller to publish:
-- { state, previous, status, previous_status, platforms, cs, count, guilds,
-- user }. Guilds (their views) hear ONLINE where they start seeing the user,
-- OFFLINE where they stop, and a status change (ONLINE to ONLINE) where they
-- go on seeing them; the user's own channel (the truth, for services) hears
-- a transition or a status change, sharing a guild group's payload when
-- that payload is the truth too (no INVISIBLE on either side).
local function presence_changes(b, a)
  local vb = b.visible and b.guilds or {}
  local va = a.visible and a.guilds or {}
  local added, removed, kept = missing_from(va, vb), missing_from(vb, va), {}
  for g in pairs(va) do
    if vb[g] then kept[#kept + 1] = g end
  end
  table.sort(kept)
  local same = b.status == a.status and b.cs == a.cs and table.concat(b.platforms, ',') == table.concat(a.platforms, ',')
  local transition = b.online ~= a.online
  local truthful = b.status ~= 'INVISIBLE' and a.status ~= 'INVISIBLE'
  local out, told = {}, false
  if #added > 0 then
    local user = truthful and transition
    told = told or user
    out[#out + 1] = { state = 'ONLINE', previous = 'OFFLINE', status = a.status, previous_status = 'OFFLINE',
      platforms = a.platforms, cs = a.cs, count = a.count, guilds = added, user = user }
  end
  if #removed > 0 then
    local user = truthful and transition
    told = told or user
    out[#out + 1] = { state = 'OFFLINE', previous = 'ONLINE', status = 'OFFLINE', previous_status = b.status,
      platforms = {}, cs = false, count = a.visible and a.count or 0, guilds = removed, user = user }
  end
  if #kept > 0 and not same then
    local user = truthful and not transition
    told = told or user
    out[#out + 1] = { state = 'ONLINE', previous = 'ONLINE', status = a.status, previous_status = b.status,
      platforms = a.platforms, cs = a.cs, count = a.count, guilds = kept, user = user }
  end
  if (transition or not same) and not told then
    out[#out + 1] = { state = a.online and 'ONLINE' or 'OFFLINE', previous = b.online and 'ONLINE' or 'OFFLINE',
      status = a.status, previous_status = b.status, platforms = a.platforms, cs = a.cs, count = a.count,
      guilds = sorted_keys(a.online and a.guilds or b.guilds), user = true, only_user = true }
  end
  return out
end

-- The user's fields once their live sessions sum up to `s` (what the step writes).
local function summary_fields(fields, s)
  local guilds = table.concat(sorted_keys(s.guilds), '\n')
  return with_fields(fields, { n = tostring(s.count), sa = s.code, g = guilds ~= '' and guilds or false, pend = false, room = s.room })
end

-- The user's fields once gone offline at `at` (go_offline's writes).
local function offline_fields(fields, at)
  return with_fields(fields, { n = '0', pend = false, room = false, last = tostring(at) })
end

-- The events from one set of a user's fields to another.
local function changes_between(before, after)
  return presence_changes(presence_view(before), presence_view(after))
end

-- setUserStatus's writes, the same on every layout: the chosen status (ARGV
-- 'ONLINE' | 'DND' | 'INVISIBLE'), the custom status ('-' keeps it, '' clears
-- it, else its JSON) with its expiry ('' none) in the expiry zset, the
-- lastSeenAt users see while invisible. Returns the views before and after.
local function set_user_status(ukey, uid, status, cs, expires, expiry_key, now, retention)
  local fields = presence_fields(ukey)
  local b = presence_view(fields)
  local st = status ~= 'ONLINE' and status or false
  local changes = { st = st }
  if cs ~= '-' then changes.cs = cs ~= '' and cs or false end
  -- Users see an invisible user's lastSeenAt as when they went invisible.
  if st == 'INVISIBLE' and fields.st ~= 'INVISIBLE' then changes.vl = b.visible and tostring(now) or fields.last
  elseif st ~= 'INVISIBLE' then changes.vl = false end
  local after = with_fields(fields, changes)

  local set, drop = {}, {}
  for _, name in ipairs({ 'st', 'cs', 'vl' }) do
    if after[name] then set[#set + 1] = name; set[#set + 1] = after[name]
    elseif fields[name] then drop[#drop + 1] = name end
  end
  if #set > 0 then redis.call('HSET', ukey, unpack(set)) end
  if #drop > 0 then redis.call('HDEL', ukey, unpack(drop)) end
  if cs ~= '-' then
    if expires ~= '' then redis.call('ZADD', expiry_key, expires, uid) else redis.call('ZREM', expiry_key, uid) end
  end
  -- An offline user's choice is kept as long as the rest of their record.
  if not b.online and #set > 0 then redis.call('EXPIRE', ukey, retention) end
  return b, after
end

-- A group's payload at `at` with version `version`.
local function change_payload(uid, c, at, version)
  return presence_payload({ userId = uid, state = c.state, previousState = c.previous, status = c.status,
    previousStatus = c.previous_status, platforms = c.platforms, customStatus = c.cs or 'null', sessionCount = c.count,
    guildIds = c.guilds, at = at, version = version })
end
