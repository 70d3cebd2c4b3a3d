-- Closes a session and leaves a tombstone. The user's last session closing
-- makes them OFFLINE (after PRESENCE_GRACE_MS, when set): voice ends, the
-- study timer stops, the retention clock starts.
-- KEYS[1] the session's index bucket (sessionId -> userId)
-- ARGV[1] key prefix    ARGV[2] sessionId
-- ARGV[3..9] ctx: now, presence retention, calendar, study retention, tombstone s, grace ms, lease ms
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the owner's user hash (read from KEYS[1]), the tombstone, the node's
--   session bucket, the unleased and pending zsets, the online set of each of the user's guilds,
--   the voice hash and version of their voice guild, the timers zset and the totals and members of
--   the days a stopped timer ran in; presence, voice, study and room channels.
-- Returns {0} for an unknown session, {-2, timer start} when the calendar does
-- not reach back to a timer this would stop (nothing written), else
-- {1, userId, session record, the user's connection_record (lib/session-records.lua)}.

local sid = ARGV[2]
local ctx = read_ctx(3)

-- Check the calendar before writing anything.
local uid = redis.call('HGET', KEYS[1], sid)
if uid then
  local f = redis.call('HMGET', user_key(uid), 'ts', 'n')
  local ts = f[1] and tonumber(f[1])
  if ts and f[2] == '1' and ctx.grace == 0 and not split(ctx_days(ctx), ts, ctx.now) then return { -2, ts } end
end

local status, owner, record, _, _, fields = close_session(sid, ctx)
if status ~= 'CLOSED' then return { 0 } end
return { 1, owner, record, connection_record_of(fields) }
