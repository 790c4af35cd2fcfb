#!/usr/bin/env bash
# Two builds of the emulator side by side: bash bench/ab.sh BASE_BINARY
#
# BASE_BINARY (an earlier build, say `git worktree add /tmp/base <rev>` and `cargo build
# --release` there) against this checkout's release build, with the workloads and method of
# bench/run.sh: read, list, create and mixed, the two alternating in every repetition, ratios as
# medians of the per-repetition pairs. In the table, "reference" is BASE_BINARY and "emulator"
# this checkout. Knobs: BENCH_DURATION (3s), BENCH_REPS (7), BENCH_CONNS ("8 32").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BASE_BINARY="${1:?usage: bash bench/ab.sh BASE_BINARY}"
DURATION="${BENCH_DURATION:-3s}"
REPS="${BENCH_REPS:-7}"
CONNS="${BENCH_CONNS:-8 32}"
use_work ab
trap stop_servers EXIT
write_bodies

base_emulator() { RUST_LOG="${BENCH_LOG:-warn}" exec "$BASE_BINARY" --listen "$@"; }
start_server base base_emulator
start_server new emulator
echo "==> base $BASE_BINARY on $PORT_base, this checkout on $PORT_new; results in $WORK"

COLLECTION="/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"
declare -A ITEM
for side in base new; do
    port_var="PORT_$side"
    url="http://127.0.0.1:${!port_var}"
    ITEM[$side]="$COLLECTION/$(api POST "$url$COLLECTION" "$BENCH_APNS_BODY" | json_field '["id"]')"
    api POST "$url$COLLECTION" "$BENCH_FCM_BODY" >/dev/null
    api POST "$url$COLLECTION" "$BENCH_HMS_BODY" >/dev/null
    wrk -t2 -c8 -d2s "$url${ITEM[$side]}" -H 'Authorization: Bearer bench' >/dev/null
done

for workload in read list create mixed; do
    for conns in $CONNS; do
        threads=2
        [[ $workload == mixed ]] && threads=$conns
        for rep in $(seq 1 "$REPS"); do
            for side in base new; do
                port_var="PORT_$side"
                path="$COLLECTION"
                [[ $workload == read ]] && path="${ITEM[$side]}"
                label=emulator
                [[ $side == base ]] && label=reference
                wrk_run "$workload c=$conns $label rep=$rep" "$workload.lua" "$threads" "$conns" \
                    "$DURATION" "http://127.0.0.1:${!port_var}$path"
            done
        done
    done
done
python3 "$BENCH_DIR/summarize.py" "$WORK/results.txt" | tee "$WORK/summary.md"
