-- Stores FILL_TOTAL credentials through the API, FILL_TYPES per application (1: APNS only;
-- 3: APNS, FCM_HTTP_V1, HMS), on applications 00000000-0000-4000-8000-<index>, continuing from
-- FILL_FROM. The work is split evenly over the threads, one connection each (-t N -c N, so that
-- answers come back in the order of the requests); each thread stops when its share is done and
-- leaves a file FILL_DONE.<thread> (wrk itself runs until its duration or SIGINT: scale.sh sends
-- that once every thread is done). Any status but 201 counts as `bad`.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local bodies = {
   read_file(os.getenv("BENCH_APNS_BODY")),
   read_file(os.getenv("BENCH_FCM_BODY")),
   read_file(os.getenv("BENCH_HMS_BODY")),
}
local types = tonumber(os.getenv("FILL_TYPES") or "3")
local from = tonumber(os.getenv("FILL_FROM") or "0")
local total = tonumber(os.getenv("FILL_TOTAL"))
local threads = tonumber(os.getenv("FILL_THREADS"))
local json = JSON_HEADERS
local next_i, last_i, answered
-- wrk calls request() once on its first thread before the run to check the script
-- (script_verify_request); that request is never sent, so it must not use up a number.
local verified

function init()
   local share = math.ceil((total - from) / threads)
   next_i = from + (tid - 1) * share
   last_i = math.min(next_i + share, total) - 1
   answered = next_i
   verified = tid ~= 1
end

function request()
   local i = next_i
   if not verified then
      verified = true
      return wrk.format("GET", "/healthz")
   end
   if i > last_i then
      -- Nothing left: a harmless probe until the thread stops.
      return wrk.format("GET", "/healthz")
   end
   next_i = i + 1
   local app = string.format("00000000-0000-4000-8000-%012x", math.floor(i / types))
   return wrk.format("POST", collection_path(app), json, bodies[i % types + 1])
end

function response(status)
   if answered <= last_i then
      if status ~= 201 then
         bad = bad + 1
      end
      answered = answered + 1
   end
   if answered > last_i then
      io.open(os.getenv("FILL_DONE") .. "." .. tid, "w"):close()
      wrk.thread:stop()
   end
end
