-- Day close, the last step: the first caller marks the day closed and
-- publishes studyDayClosed (its JSON built by the caller from the partitions' sums).
-- KEYS[1] the day's closed marker
-- ARGV[1] the StudyDayClosed JSON    ARGV[2] the day-closed channel    ARGV[3] study retention (s)
-- Returns 1 when this call closed the day, 0 when it was closed.

if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) == false then return 0 end
redis.call('SPUBLISH', ARGV[2], ARGV[1])
return 1
