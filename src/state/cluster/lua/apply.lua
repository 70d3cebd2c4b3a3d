-- A derived step (one target's slot): applies a user's outbox ops for this
-- target in seq order, each only when its seq is above the last one the
-- target saw from the user, so a replay or a second applier changes nothing
-- and publishes nothing. Voice ops get the guild's version here.
-- Guild targets: KEYS[1] seen hash (userId -> 'last seq applied' and, while online there, '\tpresence version')
--   KEYS[2] online zset (scores 0: paged by id)  KEYS[3] voice hash (userId -> channelId)  KEYS[4] voice version
--   KEYS[5] gone zset (userId -> when they left both views)  KEYS[6] presence log  KEYS[7] voice log (capped streams, resume.ts)
-- Room targets: the room's seen hash as every key (kept a day after its last op).
-- Session targets: the index bucket as every key (dropping an entry twice is harmless: no seen)
-- ARGV[1] userId    ARGV[2] seen field ('' for none)
-- ARGV[3] presence (room: the room's) channel    ARGV[4] voice (room: every room's) channel ('' for none)
-- ARGV[5] now (ms)    ARGV[6] how long a gone user's seen entry is kept (ms; 0: no pruning)
-- ARGV[7..] seq, kind, payload, ...
-- Kinds: '+' / '-' the user joins / leaves the online view (or, '+', changes status there), payload 'version\tjson', the json published;
-- 'J' / 'L' the user's voice channel is set / removed, payload 'channelId\tjson head\tjson tail'
-- published with the version between; 'X' the index entry of session <payload> goes;
-- 'O' the room event <payload> is published on both channels.
-- Returns {ops applied, the last voice version assigned or 0}.

local uid, field, presence, voice = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, keep = tonumber(ARGV[5]), tonumber(ARGV[6])
local seen, pv = 0, false
if field ~= '' then
  local text = redis.call('HGET', KEYS[1], field) or '0'
  seen, pv = tonumber(string.match(text, '^%d+')), string.match(text, '\t(%d+)$') or false
end
local applied, last, version = 0, false, 0
for i = 7, #ARGV, 3 do
  if tonumber(ARGV[i]) > seen then
    local kind, payload = ARGV[i + 1], ARGV[i + 2]
    if kind == '+' or kind == '-' then
      local op_pv, json = string.match(payload, '^(%d+)\t(.*)$')
      -- The guild keeps the version of what it applied with the member: its snapshots match its own events.
      if kind == '+' then
        redis.call('ZADD', KEYS[2], 0, uid)
        pv = op_pv
      else
        redis.call('ZREM', KEYS[2], uid)
        pv = false
      end
      payload = logged(KEYS[6], json)
    elseif kind == 'X' then redis.call('HDEL', KEYS[2], payload) end
    if kind == '+' or kind == '-' or kind == 'O' then redis.call('SPUBLISH', presence, payload) end
    if kind == 'O' then
      redis.call('SPUBLISH', voice, payload)
      redis.call('EXPIRE', KEYS[1], 86400)
    end
    if kind == 'J' or kind == 'L' then
      local cid, head, tail = string.match(payload, '^([^\t]*)\t([^\t]*)\t([^\t]*)$')
      if kind == 'J' then redis.call('HSET', KEYS[3], uid, cid) else redis.call('HDEL', KEYS[3], uid) end
      version = redis.call('INCR', KEYS[4])
      redis.call('SPUBLISH', voice, logged(KEYS[7], head .. version .. tail))
    end
    applied, last = applied + 1, ARGV[i]
  end
end
if last and field ~= '' then redis.call('HSET', KEYS[1], field, pv and (last .. '\t' .. pv) or last) end

-- A guild forgets the seen entry of a user gone from both its views once no
-- copy of their ops can still be in flight (`keep`), so it does not grow
-- with everyone it ever saw; a user who comes back starts a new entry.
if keep > 0 and applied > 0 then
  if not redis.call('ZSCORE', KEYS[2], uid) and redis.call('HEXISTS', KEYS[3], uid) == 0 then
    redis.call('ZADD', KEYS[5], now, uid)
  else
    redis.call('ZREM', KEYS[5], uid)
  end
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now - keep, 'LIMIT', 0, 20)) do
    redis.call('HDEL', KEYS[1], gone)
    redis.call('ZREM', KEYS[5], gone)
  end
end
return { applied, version }
