#!/usr/bin/env bash
# Scale and memory: bash bench/scale.sh (also the last part of bench/run.sh).
#
# 1. Two emulators: "small" holds 99 credentials (33 applications x APNS, FCM_HTTP_V1, HMS),
#    "large" holds BENCH_SCALE_TOTAL (1,000,000 = 333,334 applications x 3), all stored through
#    the API (bench/wrk/fill.lua). Read-one and list on application 0 (which holds one of each
#    type in both) are measured alternately on the two, with identical settings.
# 2. bench/memory.sh: a third emulator stores BENCH_SCALE_TOTAL APNS credentials, one per
#    application; its resident memory is compared with the bytes of the stored fields.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOTAL="${BENCH_SCALE_TOTAL:-1000000}"
DURATION="${BENCH_DURATION:-10s}"
REPS="${BENCH_REPS:-3}"
use_work scale
write_bodies
trap stop_servers EXIT

echo "==> scale: 99 vs $TOTAL stored credentials (3 per application)"
start_server small emulator
start_server large emulator
fill "$PORT_small" 0 99 3
fill "$PORT_large" 0 "$TOTAL" 3
echo "  large: VmRSS $(settled_rss "$PID_large") KiB for $TOTAL credentials in $(((TOTAL + 2) / 3)) applications"

APP0="00000000-0000-4000-8000-000000000000"
COLLECTION="/v1/environments/$ENV_ID/applications/$APP0/pushCredentials"
for side in small large; do
    port_var="PORT_$side"
    id="$(api GET "http://127.0.0.1:${!port_var}$COLLECTION" | json_field '["_embedded"]["pushCredentials"][0]["id"]')"
    printf -v "ITEM_$side" '%s' "$COLLECTION/$id"
done
for rep in $(seq 1 "$REPS"); do
    for side in small large; do
        port_var="PORT_$side" item_var="ITEM_$side"
        wrk_run "scale-read c=32 $side rep=$rep" read.lua 2 32 "$DURATION" "http://127.0.0.1:${!port_var}${!item_var}"
        wrk_run "scale-list c=32 $side rep=$rep" list.lua 2 32 "$DURATION" "http://127.0.0.1:${!port_var}$COLLECTION"
    done
done
stop_servers

python3 - "$WORK/results.txt" "$TOTAL" <<'EOF' | tee "$WORK/scale.md"
import statistics, sys
from collections import defaultdict

results, total = sys.argv[1], int(sys.argv[2])
runs = defaultdict(list)
for line in open(results):
    words = line.split()
    if words and words[0].startswith("scale-"):
        fields = dict(w.split("=", 1) for w in words[4:])
        runs[(words[0], words[2])].append(float(fields["rps"]))
# Each repetition measures small then large back to back: the ratio within a repetition is
# robust to the machine's load drifting between repetitions; its median is the figure.
print("| workload (c=32) | 99 stored req/s | %d stored req/s | large / small per repetition | median ratio |" % total)
print("|---|---|---|---|---|")
for workload in ("scale-read", "scale-list"):
    small, large = runs[(workload, "small")], runs[(workload, "large")]
    ratios = [l / s for s, l in zip(small, large)]
    print(f"| {workload.removeprefix('scale-')} | {statistics.median(small):,.0f} | {statistics.median(large):,.0f} "
          f"| {', '.join(f'{r:.2f}' for r in ratios)} | {statistics.median(ratios):.3f} |")
EOF

WORK="$WORK" bash "$BENCH_DIR/memory.sh"
