-- create -> read -> replace -> delete, again and again, on one application per connection.
-- Run with as many threads as connections (-t N -c N): each thread then drives one connection,
-- so its requests and responses strictly alternate and the cycle's state lives in the thread.
-- Every answer is checked against the status the step expects; a miss counts as `bad` and the
-- cycle restarts on a fresh application.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local body = read_file(os.getenv("BENCH_APNS_BODY"))
local json = JSON_HEADERS
local expected = { 201, 200, 200, 204 }
local step, round, id = 1, 1, nil

function request()
   local collection = collection_path(app_id(tid, round))
   if step == 1 then
      return wrk.format("POST", collection, json, body)
   elseif step == 2 then
      return wrk.format("GET", collection .. "/" .. id)
   elseif step == 3 then
      return wrk.format("PUT", collection .. "/" .. id, json, body)
   else
      return wrk.format("DELETE", collection .. "/" .. id)
   end
end

function response(status, headers, response_body)
   if status ~= expected[step] then
      bad = bad + 1
      step, round = 1, round + 1
      return
   end
   if step == 1 then
      id = string.match(response_body, '"id":"([0-9a-f%-]+)"')
   end
   step = step % 4 + 1
end
