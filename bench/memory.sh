#!/usr/bin/env bash
# Memory: bash bench/memory.sh (also the last part of bench/scale.sh).
#
# One emulator stores BENCH_SCALE_TOTAL (1,000,000) APNS credentials through the API, one per
# application (bench/wrk/fill.lua), in one environment; its resident memory two seconds later
# is compared with the bytes of the stored fields.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOTAL="${BENCH_SCALE_TOTAL:-1000000}"
use_work memory
write_bodies
trap stop_servers EXIT

echo "==> memory: $TOTAL APNS credentials, one per application"
start_server apns emulator
IDLE_KIB="$(settled_rss "$PID_apns")"
fill "$PORT_apns" 0 "$TOTAL" 1
APNS_KIB="$(settled_rss "$PID_apns")"
stop_servers

python3 - "$BENCH_APNS_BODY" "$TOTAL" "$IDLE_KIB" "$APNS_KIB" <<'EOF' | tee "$WORK/memory.md"
import json, sys

body, total, idle_kib, apns_kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
apns = json.load(open(body))
# What an APNS credential is made of: its three secrets, its id and its application's id
# (UUIDs, 16 bytes each), createdAt and updatedAt (8 bytes each). The environment is shared.
fields = len(apns["key"]) + len(apns["teamId"]) + len(apns["token"]) + 16 + 16 + 8 + 8
rss = apns_kib * 1024
print(f"APNS x {total:,}: VmRSS {rss / 2**20:,.1f} MiB (idle {idle_kib / 1024:.1f} MiB); "
      f"stored fields {fields} bytes per credential = {fields * total / 2**20:,.1f} MiB; "
      f"RSS / fields = {rss / (fields * total):.2f}; "
      f"{(rss - idle_kib * 1024) / total:.0f} bytes of RSS per credential (with its application)")
EOF
