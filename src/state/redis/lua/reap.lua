-- One maintenance pass, in bounded steps: closes the sessions of nodes whose
-- lease lapsed, closes node-less sessions older than the maximum age, and
-- sends the OFFLINE held back by PRESENCE_GRACE_MS once it is due, and clears
-- custom statuses past their expiry. Every close publishes the usual events.
-- Call again while it reports more work.
-- KEYS[1] nodes zset    KEYS[2] unleased sessions zset    KEYS[3] pending offline zset
-- KEYS[4] custom status expiry zset
-- ARGV[1] key prefix
-- ARGV[2..8] ctx: now, presence retention, calendar (reaching the oldest timer), study retention, tombstone s, grace ms, lease ms
-- ARGV[9] session max age (ms)    ARGV[10] most sessions to close
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): each lapsed node's session buckets, and for each session closed what
--   disconnect-session.lua touches; the user hash of each pending OFFLINE.
-- Returns {sessions closed, users sent OFFLINE, more work left 0|1}.

local ctx = read_ctx(2)
local max_age, budget = tonumber(ARGV[9]), tonumber(ARGV[10])
local closed, offline = 0, 0

for _, nid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ctx.now, 'LIMIT', 0, 10)) do
  local sids = node_sessions(nid, budget - closed)
  for _, sid in ipairs(sids) do
    -- Out of the node first: a session the index no longer knows must not stay behind.
    node_remove(nid, sid)
    close_session(sid, ctx)
    closed = closed + 1
  end
  if closed >= budget then return { closed, offline, 1 } end
  redis.call('ZREM', KEYS[1], nid)
end

for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (ctx.now - max_age), 'LIMIT', 0, budget - closed)) do
  close_session(sid, ctx)
  redis.call('ZREM', KEYS[2], sid)
  closed = closed + 1
end
if closed >= budget then return { closed, offline, 1 } end

for _, uid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ctx.now, 'LIMIT', 0, budget)) do
  local ukey = user_key(uid)
  local sessions, _, fields = read_user(ukey)
  redis.call('ZREM', KEYS[3], uid)
  if fields.pend and summarize(sessions).count == 0 then
    go_offline(uid, ukey, fields, fields.pend, ctx)
    offline = offline + 1
  end
end

for _, uid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ctx.now, 'LIMIT', 0, budget)) do
  redis.call('ZREM', KEYS[4], uid)
  local ukey = user_key(uid)
  local fields = presence_fields(ukey)
  if custom_status_expired(fields.cs, ctx.now) then
    redis.call('HDEL', ukey, 'cs')
    publish_changes(uid, ukey, changes_between(fields, with_fields(fields, { cs = false })), ctx.now)
  end
end

local more = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ctx.now) > 0
  or redis.call('ZCOUNT', KEYS[4], '-inf', ctx.now) > 0
  or redis.call('ZCOUNT', KEYS[3], '-inf', ctx.now) > 0
  or redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. (ctx.now - max_age)) > 0
return { closed, offline, more and 1 or 0 }
