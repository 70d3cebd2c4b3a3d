-- saveStudyTime for the users of one partition, in one step (seed 000's SCHEDULER).
-- KEYS[1..] study keys (lib/study.lua; the day as the extra day), then each user's hash in ARGV order
-- ARGV[1] day    ARGV[2] now (ms)    ARGV[3] calendar    ARGV[4] study retention (s)
-- ARGV[5..] userId, seconds, the user's study channel, ...
-- Returns how many totals rose.

local day, now = ARGV[1], tonumber(ARGV[2])
local st = study_ctx(1, ARGV[3], day, '', ARGV[4])
local updated, k = 0, st.after
for i = 5, #ARGV, 3 do
  local uid, seconds, ukey = ARGV[i], tonumber(ARGV[i + 1]), KEYS[k]
  k = k + 1
  if seconds > stored(st, uid, day) then
    set_total(st, uid, day, seconds)
    publish_study(st, ukey, uid, day, now, ARGV[i + 2])
    updated = updated + 1
  end
end
return updated
