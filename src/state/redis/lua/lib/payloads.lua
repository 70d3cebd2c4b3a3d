-- Event JSON shared by the single-node scripts and the Cluster steps.

-- A presence transition as PresenceEvent (src/state/types.ts).
local function presence_payload(uid, state, previous, count, guild_list, at, version)
  return '{"userId":' .. cjson.encode(uid) .. ',"state":"' .. state ..
    '","previousState":"' .. previous .. '","sessionCount":' .. count ..
    ',"guildIds":' .. json_array(guild_list) .. ',"at":' .. at .. ',"version":' .. version .. ',"snapshot":false}'
end

-- A voice change as VoiceStateChange, in two parts around its version: the
-- guild's version is only known where the guild's counter lives.
local function voice_payload_parts(kind, gid, cid, previous, uid, at)
  return '{"changed":true,"type":"' .. kind .. '","guildId":' .. cjson.encode(gid) .. ',"channelId":' ..
    json_or_null(cid) .. ',"previousChannelId":' .. json_or_null(previous) .. ',"userId":' .. cjson.encode(uid) ..
    ',"at":' .. at .. ',"version":', ',"snapshot":false}'
end

-- A study total as StudyTimeEvent.
local function study_payload(uid, day, seconds, running)
  return '{"userId":' .. cjson.encode(uid) .. ',"day":' .. cjson.encode(day) ..
    ',"seconds":' .. seconds .. ',"running":' .. tostring(running) .. '}'
end

-- ROOM_OUT as RoomEvent: the user left the room.
local function room_out_payload(rid, uid, at)
  return '{"type":"ROOM_OUT","roomId":' .. cjson.encode(rid) .. ',"userId":' .. cjson.encode(uid) ..
    ',"targetUserId":null,"alertCount":null,"message":null,"at":' .. at .. '}'
end
