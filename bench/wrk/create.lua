-- POST an APNS credential to a fresh application on every request (auto tenancy provisions it).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local body = read_file(os.getenv("BENCH_APNS_BODY"))
local n = 0

function request()
   n = n + 1
   return wrk.format("POST", collection_path(app_id(tid, n)),
      JSON_HEADERS, body)
end
