-- Study days: the calendar TypeScript passes and how timer time splits over it.

local MAX_DAY_SECONDS = 86400

-- The calendar ARGV: 'day,start,day,start,...', oldest first; the last day
-- is the current one. Zone arithmetic stays in TypeScript.
local function parse_calendar(text)
  local days = {}
  for day, start in string.gmatch(text, '([^,]+),([^,]+)') do days[#days + 1] = { day, tonumber(start) } end
  return days
end

-- Whole seconds of [from, to) per day, counted as clock ticks so parts add
-- up exactly; nil when `from` is older than the calendar reaches.
local function split(days, from, to)
  if from < days[1][2] then return nil end
  local parts = {}
  for i, d in ipairs(days) do
    local a, b = math.max(from, d[2]), to
    if days[i + 1] then b = math.min(to, days[i + 1][2]) end
    local seconds = math.floor(b / 1000) - math.floor(a / 1000)
    if b > a and seconds > 0 then parts[#parts + 1] = { d[1], seconds } end
  end
  return parts
end
