-- Events. Presence events carry the user's version, voice events the
-- guild's, so a subscriber that read a snapshot can drop what it already has.

-- `version`: the user's new presence version when the caller already wrote
-- it (open_session, in its one HSET); else it is raised here.
local function publish_presence(uid, ukey, state, previous, count, guild_list, at, user_changed, version)
  if #guild_list == 0 and not user_changed then return end
  local payload = presence_payload({ userId = uid, state = state, previousState = previous, sessionCount = count,
    guildIds = guild_list, at = at, version = version or redis.call('HINCRBY', ukey, 'pv', 1) })
  if user_changed then publish(presence_user_channel(uid), payload) end
  for _, g in ipairs(guild_list) do publish(presence_guild_channel(g), payload) end
end

local function publish_voice(kind, gid, cid, previous, uid, at)
  local version = redis.call('INCR', voice_version_key(gid))
  local head, tail = voice_payload_parts({ type = kind, guildId = gid, channelId = cid, previousChannelId = previous, userId = uid, at = at })
  publish(voice_guild_channel(gid), head .. version .. tail)
  return version
end

local function publish_room_out(rid, uid, at)
  publish(room_channel(rid), room_out_payload({ roomId = rid, userId = uid, at = at }))
end

-- Ends the user's voice membership (vg/vc in the user hash) with a LEFT event.
local function end_voice(ukey, uid, vg, vc, at)
  redis.call('HDEL', voice_key(vg), uid)
  redis.call('HDEL', ukey, 'vg', 'vc')
  publish_voice('LEFT', vg, vc, false, uid, at)
end
