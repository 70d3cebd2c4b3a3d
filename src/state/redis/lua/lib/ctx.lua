-- The ctx of scripts whose ARGV carry, from index i: now, presence
-- retention, calendar, study retention, tombstone seconds, grace ms,
-- default node lease ms.
local function read_ctx(i)
  return {
    now = tonumber(ARGV[i]),
    retention = ARGV[i + 1],
    calendar = ARGV[i + 2],
    study_retention = ARGV[i + 3],
    tombstone = ARGV[i + 4],
    grace = tonumber(ARGV[i + 5]),
    lease = tonumber(ARGV[i + 6]),
  }
end

-- The calendar's days, parsed on first use: most calls never need them (no timer stops).
local function ctx_days(ctx)
  if not ctx.days then ctx.days = parse_calendar(ctx.calendar) end
  return ctx.days
end
