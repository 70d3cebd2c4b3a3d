-- saveStudyTime for a batch of users (seed 000's SCHEDULER), in one step.
-- KEYS[1] day totals hash     KEYS[2] day members zset
-- ARGV[1] key prefix          ARGV[2] day          ARGV[3] now (epoch ms)
-- ARGV[4] calendar            ARGV[5] study retention (seconds)
-- ARGV[6..] userId, seconds, userId, seconds, ...
-- Learned while running (single Redis and Sentinel; not in KEYS, named by the builders generated
--   from redis/names.ts): each user's hash (for a running timer) and study
--   channel.
-- Returns how many totals rose.

local day, now, retention = ARGV[2], tonumber(ARGV[3]), ARGV[5]
local days = parse_calendar(ARGV[4])

local updated = 0
for i = 6, #ARGV, 2 do
  local uid, seconds = ARGV[i], tonumber(ARGV[i + 1])
  if seconds > stored(uid, day) then
    set_total(uid, day, seconds, retention)
    publish_study(uid, day, days, now)
    updated = updated + 1
  end
end
return updated
