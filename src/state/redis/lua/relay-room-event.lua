-- Publishes a room event once per eventId.
-- KEYS[1]  STRING  the event's record (keys.roomEvent: room:{roomId}:event:<eventId>)
-- ARGV[1]  the channel to publish on (prefixed)
-- ARGV[2]  the event as JSON, as the bus publishes it
-- ARGV[3]  seconds the record is kept (TOMBSTONE_SECONDS)
-- Returns false when it published now, else the JSON of the event first published with this id.
local first = redis.call('GET', KEYS[1])
if first then return first end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return false
