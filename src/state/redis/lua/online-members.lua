-- One page of a guild's online members, in id (byte) order after a cursor,
-- with what each shows: one read of the view and the users' fields together.
-- KEYS[1] the guild's online zset (scores 0)
-- ARGV[1] key prefix    ARGV[2] the last id of the previous page, or ''    ARGV[3] how many to read
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): the user hash of each member read.
-- Returns {userId, connection_record, ...}.

local from = ARGV[2] == '' and '-' or '(' .. ARGV[2]
local out = {}
for _, uid in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, tonumber(ARGV[3]))) do
  out[#out + 1] = uid
  out[#out + 1] = connection_record(user_key(uid))
end
return out
