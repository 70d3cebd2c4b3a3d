-- Going OFFLINE on the user's partition (after the last close, or when a
-- held-back OFFLINE falls due): voice ends, the timer stops at `at`, the
-- retention clock starts, the guilds hear of it through the outbox.
-- Callers first check that the calendar reaches the timer (timer_reachable).

local function timer_reachable(st, fields)
  local ts = fields.ts and tonumber(fields.ts)
  return not ts or split(st.days, ts, ts) ~= nil, ts
end

-- `fields`: the user's fields while still online (a session or a held-back OFFLINE). Returns the fields after.
local function go_offline(st, ukey, uid, fields, at, now, channel, retention)
  if fields.vg then
    redis.call('HDEL', ukey, 'vg', 'vc')
    emit_voice(now, 'LEFT', fields.vg, fields.vc, false, uid, at)
  end
  local ts = fields.ts and tonumber(fields.ts)
  if ts then settle_timer(st, ukey, uid, ts, math.max(ts, tonumber(at)), now, false) end
  redis.call('HSET', ukey, 'last', at)
  redis.call('HDEL', ukey, 'pend')
  redis.call('EXPIRE', ukey, retention)
  local after = offline_fields(fields, at)
  emit_changes(uid, now, channel, changes_between(fields, after), at)
  return after
end

-- ROOM_OUT for each room the user's sessions no longer name, through the room's step.
local function emit_room_outs(now, uid, rooms)
  for _, rid in ipairs(rooms) do emit(now, 'r:' .. rid, 'O', room_out_payload({ roomId = rid, userId = uid, at = now })) end
end
