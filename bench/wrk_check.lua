-- wrk script for POST /api/v1/check (docs/api.md): cycles through request
-- bodies, one JSON object per line, written by
--   ringlens bench check --in CITY --duration 1s --bodies bodies.jsonl
-- Run against `ringlens serve --in CITY`:
--   BODIES=bodies.jsonl wrk -t2 -c4 -d30s --latency -s bench/wrk_check.lua http://127.0.0.1:8080/api/v1/check
local bodies = {}
local path = os.getenv("BODIES") or "bodies.jsonl"
for line in io.lines(path) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
assert(#bodies > 0, "no bodies in " .. path)

local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

function request()
  i = i + 1
  local k = ((offset or 0) + i) % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[k])
end
