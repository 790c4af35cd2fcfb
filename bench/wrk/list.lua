-- GET an application's collection (the URL given to wrk names it).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
