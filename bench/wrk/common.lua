-- Shared by every workload: PingOne client headers, per-thread ids, status accounting and a
-- machine-readable summary line (`RESULT key=value ...`) that bench/run.sh parses.
-- Scripts that check statuses themselves increment the thread-global `bad`.

local threads = {}

wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["Accept"] = "application/json"

ENV_ID = os.getenv("BENCH_ENV") or "f59504de-3c45-4a37-8d70-d5ad75dfaaa0"
TAG = tonumber(os.getenv("BENCH_TAG") or "1")

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
   thread:set("bad", 0)
end

function read_file(path)
   local file = assert(io.open(path, "rb"), "cannot open " .. path)
   local content = file:read("*a")
   file:close()
   return content
end

-- A lowercase UUID unique to (run tag, thread, n).
function app_id(thread_id, n)
   return string.format("%08x-%04x-4000-8000-%012x", TAG, thread_id, n)
end

function collection_path(app)
   return "/v1/environments/" .. ENV_ID .. "/applications/" .. app .. "/pushCredentials"
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("bad") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d bad=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      errors.status, errors.connect + errors.read + errors.write + errors.timeout, bad))
end

-- wrk.format uses the headers it is given instead of wrk.headers: these add the client headers.
JSON_HEADERS = {
   ["Authorization"] = wrk.headers["Authorization"],
   ["Accept"] = wrk.headers["Accept"],
   ["Content-Type"] = "application/json",
}
