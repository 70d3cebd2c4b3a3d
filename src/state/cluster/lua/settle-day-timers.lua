-- Day close, one batch of one partition: credits each listed user's timer
-- that started before the day's end up to it and restarts it there, so a
-- repeated batch changes nothing.
-- KEYS[1..] study keys (lib/study.lua; the calendar reaches the batch's oldest timer), then each user's hash in ARGV order
-- ARGV[1] day end (ms)    ARGV[2] now (ms)    ARGV[3] calendar    ARGV[4] study retention (s)
-- ARGV[5..] userId, the user's study channel, ...
-- Returns how many timers it credited, or {-2, start} when the calendar
-- does not reach a timer (nothing written).

local day_end, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local st = study_ctx(1, ARGV[3], '', '', ARGV[4])
local due, k = {}, st.after
for i = 5, #ARGV, 2 do
  local score = redis.call('ZSCORE', st.timers, ARGV[i])
  if score and tonumber(score) < day_end then
    if not split(st.days, tonumber(score), day_end) then return { -2, score } end
    due[#due + 1] = { ARGV[i], ARGV[i + 1], KEYS[k], tonumber(score) }
  end
  k = k + 1
end
for _, d in ipairs(due) do settle_timer(st, d[3], d[1], d[4], day_end, now, true, d[2]) end
return #due
