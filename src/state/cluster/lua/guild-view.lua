-- A guild's online view with the presence version of the transition it
-- applied to each member (apply.lua keeps it in the seen hash), read at once.
-- KEYS[1] online zset    KEYS[2] seen hash
-- Returns {userId, version, ...}.

local out = {}
for _, uid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local seen = redis.call('HGET', KEYS[2], uid) or ''
  out[#out + 1] = uid
  out[#out + 1] = string.match(seen, '\t(%d+)$') or '0'
end
return out
