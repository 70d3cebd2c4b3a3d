-- A gateway node's session ids, spread over NODE_BUCKETS hashes (sessionId -> '')
-- by bucket_of: up to ~30,000 sessions a node they stay listpacks, about 20
-- bytes a session where one set took 60. Publishing, with the prefix.

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
local function publish(topic, payload) redis.call('PUBLISH', PREFIX .. topic, payload) end
