-- The user's outbox (docs/cluster-layout.md): what a user step committed for
-- other slots (guild views, the session index) and no target has confirmed.
-- Every user step declares KEYS[1] user hash, KEYS[2] outbox hash (seq ->
-- 'target\nkind\npayload'), KEYS[3] the partition's outbox due zset.

-- Sequence numbers only grow, also when an expired user hash is recreated:
-- a fresh counter starts at now * 1000, above any seq a target has seen.
local function next_seq(now)
  local q = tonumber(redis.call('HGET', KEYS[1], 'oq') or '0')
  q = math.max(q + 1, now * 1000)
  local text = string.format('%d', q)
  redis.call('HSET', KEYS[1], 'oq', text)
  return text
end

local function emit(now, target, kind, payload)
  redis.call('HSET', KEYS[2], next_seq(now), target .. '\n' .. kind .. '\n' .. payload)
end

-- Every op not yet acknowledged, as {seq, op, ...}; schedules their repair
-- (the earliest due stays) in case this caller dies before applying them.
local function pending_ops(uid, due)
  local flat = redis.call('HGETALL', KEYS[2])
  if #flat > 0 then redis.call('ZADD', KEYS[3], 'NX', due, uid) end
  return flat
end

-- A user step's reply: its own fields, then the pending ops.
local function with_ops(reply, uid, due)
  for _, v in ipairs(pending_ops(uid, due)) do reply[#reply + 1] = v end
  return reply
end

-- presence_changes' groups (lib/status.lua): the user's own channel at once,
-- each guild through the outbox, each group with the next presence version.
local function emit_changes(uid, now, channel, changes, at)
  for _, c in ipairs(changes) do
    local version = redis.call('HINCRBY', KEYS[1], 'pv', 1)
    local payload = change_payload(uid, c, at, version)
    if c.user then redis.call('SPUBLISH', channel, payload) end
    if not c.only_user then
      -- The guild keeps the version with its member: its snapshots then match its own events.
      local kind = c.state == 'ONLINE' and '+' or '-'
      for _, g in ipairs(c.guilds) do emit(now, 'g:' .. g, kind, version .. '\t' .. payload) end
    end
  end
end

-- A voice change for the guild's view; its version is assigned there (apply.lua).
-- `at` (the event's time) defaults to now.
local function emit_voice(now, kind, gid, cid, previous, uid, at)
  local head, tail = voice_payload_parts({ type = kind, guildId = gid, channelId = cid, previousChannelId = previous, userId = uid, at = at or now })
  emit(now, 'g:' .. gid, kind == 'LEFT' and 'L' or 'J', (cid or '') .. '\t' .. head .. '\t' .. tail)
end
