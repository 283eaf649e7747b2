-- GET the paths of a file in turn (one per line; the file is the first argument after
-- "--"), each thread starting at its own place. No response() callback: wrk then skips
-- handing bodies to Lua, and counts every status above 399 in summary.errors.status.
local report = dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local paths = {}
local i = 0

setup = report.setup
done = report.done

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  i = ((id or 1) * 7919) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
