-- Publishes a room event (the {rooms} slot) on the room's channel and on
-- the every-room channel; with `once`, once per eventId.
-- KEYS[1] the event's record (kept `ttl` seconds)
-- ARGV[1] the room's channel    ARGV[2] the every-room channel    ARGV[3] the event JSON
-- ARGV[4] ttl (s)    ARGV[5] once '1'|'0'
-- Returns false when it published now, else the JSON first published with this id.

if ARGV[5] == '1' then
  local first = redis.call('GET', KEYS[1])
  if first then return first end
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
end
redis.call('SPUBLISH', ARGV[1], ARGV[3])
redis.call('SPUBLISH', ARGV[2], ARGV[3])
return false
