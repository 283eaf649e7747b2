-- The mixed load: requests from a schedule file (first argument after "--"), one per
-- line, "METHOD<TAB>PATH<TAB>BODY" (BODY optional), taken in turn; the editor's token is
-- the second argument. "@U@" in a path or body becomes a value unique to this request
-- (an edit that changes something, a new study's outcome). A study created by a POST is
-- deleted by the next request of the same thread, so the corpus ends as it started.
-- Responses are counted by status in `statuses` (read back by report.done).
local report = dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local schedule = {}
local i = 0
local unique = 0
local token
local pending_deletes = {}
statuses = {}

setup = report.setup
done = report.done

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      table.insert(schedule, { method = method, path = path, body = body })
    end
  end
  token = args[2]
  i = ((id or 1) * 7919) % #schedule
end

local function headers(body)
  local h = { ["Authorization"] = "Token " .. token, ["Accept"] = "application/json" }
  if body ~= "" then
    h["Content-Type"] = "application/json"
  end
  return h
end

function request()
  local doomed = table.remove(pending_deletes)
  if doomed then
    return wrk.format("DELETE", doomed, headers(""))
  end
  i = i % #schedule + 1
  local item = schedule[i]
  if item.method == "GET" then
    return wrk.format("GET", item.path)
  end
  unique = unique + 1
  local stamp = string.format("%d-%d", id or 1, unique)
  local body = item.body:gsub("@U@", stamp)
  return wrk.format(item.method, item.path:gsub("@U@", stamp), headers(body), body)
end

function response(status, response_headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local location = response_headers["Location"] or response_headers["location"]
    if location then
      table.insert(pending_deletes, (location:gsub("^https?://[^/]+", "")))
    end
  end
end
