-- Event JSON shared by the single-node scripts and the Cluster steps.

-- A presence transition as PresenceEvent (src/state/types.ts).
local function presence_payload(uid, state, previous, count, guild_list, at, version)
  return '{"userId":' .. cjson.encode(uid) .. ',"state":"' .. state ..
    '","previousState":"' .. previous .. '","sessionCount":' .. count ..
    ',"guildIds":' .. json_array(guild_list) .. ',"at":' .. at .. ',"version":' .. version .. ',"snapshot":false}'
end
