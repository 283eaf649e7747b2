-- done() for every harness script: wrk's summary and latency distribution (microseconds)
-- as one line "BENCH_JSON {...}" on stdout, plus each thread's `statuses` table if any.
local json = dofile(os.getenv("BENCH_LUA_DIR") .. "/json.lua")
local report = {}
local threads = {}

function report.setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function report.done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    if counted then
      for status, count in pairs(counted) do
        statuses[status] = (statuses[status] or 0) + count
      end
    end
  end
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = summary.errors,
    statuses = statuses,
    latency_us = {
      min = latency.min,
      max = latency.max,
      mean = latency.mean,
      p50 = latency:percentile(50),
      p90 = latency:percentile(90),
      p95 = latency:percentile(95),
      p99 = latency:percentile(99),
      p999 = latency:percentile(99.9),
    },
  }
  io.write("BENCH_JSON " .. json.encode(out) .. "\n")
end

return report
