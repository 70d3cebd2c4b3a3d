-- The key prefix and the bucket hash every generated name builder uses
-- (the builders themselves come from src/state/redis/names.ts).
-- ARGV[1] is always the key prefix.

local PREFIX = ARGV[1]

-- A string hash of an id's bytes into n buckets (names.ts's bucketOf computes the same).
local function bucket_of(id, n)
  local h = 0
  for i = 1, #id do h = (h * 31 + string.byte(id, i)) % n end
  return h
end
