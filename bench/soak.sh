#!/usr/bin/env bash
# Soak: bash bench/soak.sh  (SOAK_SECONDS=60, SOAK_CONNS=32)
#
# Full load for SOAK_SECONDS: the mixed create -> read -> replace -> delete cycle with every
# status checked, while 50 idle clients connect and send nothing and 50 slow clients send half a
# request head. Passes when no status was unexpected, no socket error happened, every idle and
# slow connection was closed by the server (header-read timeout, 2 s here), and resident memory
# at the end is within 10% of its value after the warm-up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECONDS_OF_LOAD="${SOAK_SECONDS:-60}"
CONNS="${SOAK_CONNS:-32}"
WORK="$ROOT/target/bench/soak-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$WORK"
trap stop_servers EXIT
need_tools
build_release
write_bodies

export PINGONE_MOCK_HEADER_TIMEOUT_MS=2000
start_server emu emulator
URL="http://127.0.0.1:$PORT_emu/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"

echo "==> warm-up (10 s)"
wrk_run "warm-up" mixed.lua "$CONNS" "$CONNS" 10s "$URL" >/dev/null
sleep 1
WARM_KIB="$(rss_kib "$PID_emu")"

echo "==> soak: ${SECONDS_OF_LOAD} s of mixed load at $CONNS connections, with idle and slow clients"
python3 - "$PORT_emu" "$((SECONDS_OF_LOAD + 30))" >"$WORK/idle.txt" <<'EOF' &
# Opens 50 idle and 50 slow connections, then reports how many the server closed (EOF or reset)
# and after how long; gives up after argv[2] seconds.
import select, socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
opened = {}
for i in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    opened[s] = time.monotonic()
closed, waits, deadline = 0, [], time.monotonic() + limit
while opened and time.monotonic() < deadline:
    readable, _, _ = select.select(list(opened), [], [], 0.5)
    for s in readable:
        try:
            if s.recv(4096):
                continue  # an answer to half a request would be a bug; it stays counted open
        except OSError:
            pass
        closed += 1
        waits.append(time.monotonic() - opened.pop(s))
        s.close()
print(f"idle/slow connections closed by the server: {closed}/100, "
      f"after {min(waits, default=0):.1f}-{max(waits, default=0):.1f} s")
EOF
IDLE_PID=$!
wrk_run "soak c=$CONNS emulator" mixed.lua "$CONNS" "$CONNS" "${SECONDS_OF_LOAD}s" "$URL" | tee "$WORK/soak.txt"
sleep 1
END_KIB="$(rss_kib "$PID_emu")"
wait "$IDLE_PID"
cat "$WORK/idle.txt"

python3 - "$WORK/soak.txt" "$WARM_KIB" "$END_KIB" "$WORK/idle.txt" <<'EOF'
import sys
fields = dict(w.split("=", 1) for w in open(sys.argv[1]).read().split()[3:])
warm, end = int(sys.argv[2]), int(sys.argv[3])
idle = open(sys.argv[4]).read()
unexpected = int(fields["bad"]) + int(fields["non2xx"])
print(f"requests {int(fields['requests']):,}, {float(fields['rps']):,.0f}/s, p99 {int(fields['p99_us']) / 1000:.2f} ms; "
      f"unexpected statuses {unexpected}, socket errors {fields['socket_errors']}; "
      f"VmRSS after warm-up {warm} KiB, at the end {end} KiB ({(end - warm) / warm:+.1%})")
ok = unexpected == 0 and fields["socket_errors"] == "0" and end <= warm * 1.10 and "100/100" in idle
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOF
