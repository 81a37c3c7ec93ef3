-- wrk script of scripts/bench-overload: the lookups of scripts/bench_lookup.lua (same
-- bodies, same pacing with BENCH_RATE_PER_THREAD), reporting what overload needs.
--
-- wrk counts every answer outside 2xx/3xx as a status error: here those are the 503s of
-- load shedding. wrk keeps one latency histogram for all answers. Taking a shed request
-- as faster than any lookup (it is answered before any work), with a share s shed, the
-- p99 of the admitted lookups is the histogram's 100·(s + 0.99·(1 − s)) percentile. That
-- holds while the daemon has CPU to spare. Once it is saturated, sheds wait in the same
-- queues as lookups and the estimate is rough (with hey's per-request CSV on one such
-- run: 29.4 ms estimated, 24.5 ms exact). done() prints it with the rest as
-- `WRKJSON {...}`.

dofile((os.getenv("BENCH_SCRIPTS") or "scripts") .. "/bench_lookup.lua")

function done(summary, latency, requests)
   local e = summary.errors
   local shed = 0
   if summary.requests > 0 then
      shed = e.status / summary.requests
   end
   local admitted_p99 = latency:percentile(100 * (shed + 0.99 * (1 - shed)))
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"shed":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p99":%d,"max":%d,"admitted_p99":%d}}\n',
      summary.requests, summary.duration, e.status,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max, admitted_p99))
end
