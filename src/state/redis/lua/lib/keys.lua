-- Key and channel names of keys a script learns while it runs (the user
-- behind a session id, the guild a user is in); they mirror keys.ts and
-- src/state/topics.ts. ARGV[1] is always the key prefix.

local PREFIX = ARGV[1]

local function user_key(uid) return PREFIX .. 'user:{' .. uid .. '}' end
-- A string hash of an id's bytes into n buckets (keys.ts computes the same).
local function bucket_of(id, n)
  local h = 0
  for i = 1, #id do h = (h * 31 + string.byte(id, i)) % n end
  return h
end
-- sessionId -> userId lives in one of SESSION_BUCKETS small hashes: a few
-- entries per hash keep it a compact listpack, far smaller than a key per
-- session.
local SESSION_BUCKETS = 16384
local function session_key(sid) return PREFIX .. 'sessions:{' .. bucket_of(sid, SESSION_BUCKETS) .. '}' end
-- A gateway node's session ids are spread the same way over NODE_BUCKETS
-- hashes (sessionId -> ''): up to ~30,000 sessions a node they stay
-- listpacks, about 20 bytes a session where one set took 60.
local NODE_BUCKETS = 256
local function node_bucket_key(nid, b) return PREFIX .. 'node:{' .. nid .. '}:sessions:' .. b end
local function node_add(nid, sid) redis.call('HSET', node_bucket_key(nid, bucket_of(sid, NODE_BUCKETS)), sid, '') end
local function node_remove(nid, sid) redis.call('HDEL', node_bucket_key(nid, bucket_of(sid, NODE_BUCKETS)), sid) end
-- Up to `limit` of the node's session ids (all when nil).
local function node_sessions(nid, limit)
  local out = {}
  for b = 0, NODE_BUCKETS - 1 do
    for _, sid in ipairs(redis.call('HKEYS', node_bucket_key(nid, b))) do
      if limit and #out >= limit then return out end
      out[#out + 1] = sid
    end
  end
  return out
end
local function tomb_key(sid) return PREFIX .. 'tomb:{' .. sid .. '}' end
local function voice_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:voice' end
local function voice_version_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:voice:v' end
local function online_key(gid) return PREFIX .. 'guild:{' .. gid .. '}:online' end
local NODES = PREFIX .. 'nodes'
local UNLEASED = PREFIX .. 'sessions:unleased'
local PENDING = PREFIX .. 'presence:pending'
local function publish(topic, payload) redis.call('PUBLISH', PREFIX .. topic, payload) end
