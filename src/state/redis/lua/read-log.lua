-- The events of a guild log (resume.ts) after a position, and whether some
-- after it were dropped: trimmed away, or the log expired or was never kept
-- (a position older than the log's first entry).
-- KEYS[1] the log (a stream)
-- ARGV[1] the position ('ms-seq')    ARGV[2] most entries to read
-- Returns {gap 0|1, tail id|false, id, json, id, json, ...}.

if redis.call('EXISTS', KEYS[1]) == 0 then return { 1, false } end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end

local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  -- Ids are up to 20 digits: compare as strings of equal length.
  am, bm = string.rep('0', 20 - #am) .. am, string.rep('0', 20 - #bm) .. bm
  if am ~= bm then return am < bm end
  return tonumber(as) < tonumber(bs)
end

local after = ARGV[1]
local deleted = fields['max-deleted-entry-id']
local first = fields['first-entry'] and fields['first-entry'][1]
-- Trimmed: a gap when the position is older than the last entry dropped. Never
-- trimmed: a gap when the position is older than the first entry (it is from an earlier log).
local gap
if deleted ~= '0-0' then gap = before(after, deleted) else gap = first ~= nil and before(after, first) end
local out = { gap and 1 or 0, fields['last-generated-id'] }
if gap then return out end
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '(' .. after, '+', 'COUNT', tonumber(ARGV[2]))) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out
