-- POST an EG connection with a name no other request of this run uses: "{JUNCTION_RUN}-{thread}-{n}".
-- JUNCTION_TOKEN: an IAM token. Anything but 200 is counted by wrk ("Non-2xx or 3xx responses").
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end

function init(args)
  counter = 0
  run = os.getenv("JUNCTION_RUN") or "r"
  token = os.getenv("JUNCTION_TOKEN")
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d-%d","vpc_id":"vpc-1","subnet_id":"subnet-1"}', run, tid, counter)
  return wrk.format("POST", wrk.path, { ["X-Auth-Token"] = token, ["Content-Type"] = "application/json" }, body)
end
