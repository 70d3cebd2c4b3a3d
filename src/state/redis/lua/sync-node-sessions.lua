-- Replaces a gateway node's sessions with the list it sends, in one step:
-- sessions of the node missing from the list close, listed ones open or
-- update; only real transitions publish events. Sessions held by another
-- user or already closed (tombstone) are refused and reported. Renews the lease.
-- KEYS[1] nodes zset
-- ARGV[1] key prefix    ARGV[2] nodeId    ARGV[3] lease (ms)
-- ARGV[4..10] ctx: now, presence retention, calendar, study retention, tombstone s, grace ms, lease ms
-- ARGV[11..] sessionId, userId, session content (with n = nodeId), ...
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the node's session buckets, and for each session opened or closed what
--   connect-session.lua or disconnect-session.lua touches.
-- Returns {opened, closed, unchanged, refused sessionId, ...}.

local ctx = read_ctx(4)
local listed = {}
for i = 11, #ARGV, 3 do listed[ARGV[i]] = true end

local opened, closed, unchanged, refused = 0, 0, 0, {}
for _, sid in ipairs(node_sessions(ARGV[2])) do
  if not listed[sid] then
    close_session(sid, ctx)
    closed = closed + 1
  end
end
for i = 11, #ARGV, 3 do
  local status = open_session(ARGV[i + 1], ARGV[i], ARGV[i + 2], ctx)
  if status == 'CHANGED' then opened = opened + 1
  elseif status == 'SAME' then unchanged = unchanged + 1
  else refused[#refused + 1] = ARGV[i] end
end
redis.call('ZADD', KEYS[1], ctx.now + tonumber(ARGV[3]), ARGV[2])

local out = { opened, closed, unchanged }
for _, sid in ipairs(refused) do out[#out + 1] = sid end
return out
