-- Opens a session, or updates it when a known session id arrives with other
-- guilds, room or node. A retry with the same content, or a CONNECT for a
-- session already closed (tombstone), changes nothing.
-- KEYS[1] user hash            KEYS[2] the session's index bucket (sessionId -> userId)
-- ARGV[1] key prefix           ARGV[2] userId          ARGV[3] sessionId
-- ARGV[4] session content, 'n\nr\ng1\ng2...' (see lib/session-records.lua)
-- ARGV[5..11] ctx: now, presence retention, calendar, study retention, tombstone s, grace ms, lease ms
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the tombstone and the session's index bucket's owner check, the old and
--   new node's session bucket, the nodes, unleased and pending zsets, the online set of every guild
--   gained or lost (the other sessions' guilds come from KEYS[1]); presence and room channels.
-- Returns {-1} when the session belongs to another user, else
-- {changed 0|1, session record|false, the user's connection_record (lib/session-records.lua)}.

local ctx = read_ctx(5)
local status, record, summary, fields = open_session(ARGV[2], ARGV[3], ARGV[4], ctx)
if status == 'OWNED' then return { -1 } end
if status == 'TOMB' then return { 0, false, connection_record(KEYS[1]) } end
return { status == 'CHANGED' and 1 or 0, record, connection_record_of(fields) }
