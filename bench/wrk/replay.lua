-- Replays pre-built raw HTTP requests (TC3-signed Tencent calls, which Lua cannot sign), each thread taking every
-- JUNCTION_THREADS-th one so that no two requests repeat until the file is used up.
-- JUNCTION_REQUESTS: the file, requests separated by "\n#####\n". A Tencent error is HTTP 200 with "Error" in the
-- body, so answers are read and errors counted ("lua-errors: N" at the end).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("JUNCTION_REQUESTS"), "rb"))
  local all = file:read("*a")
  file:close()
  requests = {}
  for r in string.gmatch(all, "(.-)\n#####\n") do
    table.insert(requests, r)
  end
  stride = tonumber(os.getenv("JUNCTION_THREADS") or "1")
  index = tid - 1
  errors = 0
end

function request()
  local r = requests[(index % #requests) + 1]
  index = index + stride
  return r
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"Error"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("errors")
  end
  io.write(string.format("lua-errors: %d\n", total))
end
