-- JSON pieces cjson cannot write, and small set and list helpers.

-- cjson encodes an empty table as {}, so arrays are written by hand.
local function json_array(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = cjson.encode(v) end
  return '[' .. table.concat(out, ',') .. ']'
end

local function json_or_null(v)
  if v then return cjson.encode(v) end
  return 'null'
end

local function sorted_keys(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- Keys of set a that are not in set b, sorted.
local function missing_from(a, b)
  local out = {}
  for k in pairs(a) do
    if not b[k] then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- Ids hold no line breaks, so '\n' joins lists of them.
local function split_lines(text)
  local out = {}
  if text then for item in string.gmatch(text, '[^\n]+') do out[#out + 1] = item end end
  return out
end

local function set_of(list)
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  return set
end
