-- Events. Presence events carry the user's version, voice events the
-- guild's, so a subscriber that read a snapshot can drop what it already has.

-- Publishes presence_changes' groups (lib/status.lua), each with the next
-- presence version, and keeps the guilds' online sets with them.
local function publish_changes(uid, ukey, changes, at)
  for _, c in ipairs(changes) do
    local payload = change_payload(uid, c, at, redis.call('HINCRBY', ukey, 'pv', 1))
    if c.user then publish(presence_user_channel(uid), payload) end
    if not c.only_user then
      for _, g in ipairs(c.guilds) do
        if c.previous == 'OFFLINE' then redis.call('ZADD', online_key(g), 0, uid)
        elseif c.state == 'OFFLINE' then redis.call('ZREM', online_key(g), uid) end
        publish(presence_guild_channel(g), logged(presence_log_key(g), payload))
      end
    end
  end
end

local function publish_voice(kind, gid, cid, previous, uid, at)
  local version = redis.call('INCR', voice_version_key(gid))
  local head, tail = voice_payload_parts({ type = kind, guildId = gid, channelId = cid, previousChannelId = previous, userId = uid, at = at })
  publish(voice_guild_channel(gid), logged(voice_log_key(gid), head .. version .. tail))
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
