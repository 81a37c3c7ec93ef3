-- wrk script of scripts/bench: POST /v1/lookup with bodies drawn from a file of pre-drawn
-- queries (one JSON body per line), the same file PostgreSQL's query tables come from.
--
--   BENCH_QUERIES=queries.ndjson wrk -t T -c C -d 15s -s scripts/bench_lookup.lua \
--       -H 'Authorization: Bearer KEY' http://127.0.0.1:PORT/v1/lookup
--
-- BENCH_RATE_PER_THREAD (requests/s, optional) paces each wrk thread to that rate with
-- delay(): requests are started on a schedule of evenly spaced slots shared by the
-- thread's connections (wrk calls delay() per connection, in the thread's Lua state, before
-- each request). The latency wrk records runs from sending to the answer, not including
-- the wait for a slot.
--
-- done() prints one line `WRKJSON {...}` with the request count, duration, errors and
-- latency percentiles (microseconds), for robust parsing.

local path = os.getenv("BENCH_QUERIES") or "queries.ndjson"
local rate = tonumber(os.getenv("BENCH_RATE_PER_THREAD") or "0") or 0
local queries = {}
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_id", threads)
end

function init(args)
   local file = io.open(path, "r")
   if file == nil then
      error("bench_lookup.lua: cannot open " .. path)
   end
   for line in file:lines() do
      if #line > 0 then
         queries[#queries + 1] = line
      end
   end
   file:close()
   if #queries == 0 then
      error("bench_lookup.lua: no queries in " .. path)
   end
   -- Fixed per-thread seeds: a run is reproducible, and threads draw different queries.
   math.randomseed(7919 * (thread_id or 1))
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   return wrk.format(nil, nil, nil, queries[math.random(#queries)])
end

if rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clk_id, bench_timespec *tp);
   ]]
   local ts = ffi.new("bench_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
   end
   local interval = 1000 / rate
   local next_slot = nil

   function delay()
      local now = now_ms()
      if next_slot == nil then
         -- Spread the threads' first slots over one interval.
         next_slot = now + interval * math.random()
      else
         next_slot = next_slot + interval
      end
      -- Behind schedule (late answers, timer slop), requests go out at once until the
      -- schedule is met again; more than 100 ms behind, the schedule restarts from now,
      -- so a stall does not turn into a long burst.
      if next_slot < now - 100 then
         next_slot = now
      end
      local wait = next_slot - now
      if wait < 0 then
         return 0
      end
      return math.floor(wait + 0.5)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
