#!/usr/bin/env bash
# The benchmark kit, in one command: bash bench/run.sh
#
# Builds release binaries, then measures the emulator and the reference program
# (examples/reference_server.rs: bare axum, fixed JSON) side by side with identical wrk settings,
# alternating the two on every repetition so that noise from other work on the machine hits both:
#   read     GET one APNS credential
#   list     GET an application holding one credential of each type
#   create   POST an APNS credential to a fresh application every time
#   mixed    create -> read -> replace -> delete, statuses checked
# then start-up time and idle memory (bench/startup.py), then scale (1,000,000 stored
# credentials, bench/scale.sh). Prints medians and ratios; raw lines stay in target/bench/.
#
# Every repetition is a pair (reference, then emulator) and the ratios are medians of the pairs'
# ratios (bench/summarize.py): many short pairs rather than a few long runs, because the load of
# the shared machine changes within seconds and a pair's two runs should see the same load.
#
# Knobs (environment): BENCH_DURATION (3s), BENCH_REPS (7), BENCH_CONNS ("8 32"),
# BENCH_STARTS (30), BENCH_SCALE (1: run the scale part; 0: skip), BENCH_SCALE_TOTAL (1000000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_DURATION:-3s}"
REPS="${BENCH_REPS:-7}"
CONNS="${BENCH_CONNS:-8 32}"
WORK="$ROOT/target/bench/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$WORK"
trap stop_servers EXIT

need_tools
build_release
write_bodies
echo "==> machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r)"
echo "==> results in $WORK"

start_server ref "$REFERENCE"
start_server emu emulator
REF="http://127.0.0.1:$PORT_ref"
EMU="http://127.0.0.1:$PORT_emu"

# The emulator's read and list targets: one application holding APNS, FCM_HTTP_V1 and HMS.
COLLECTION="/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"
CREDENTIAL_ID="$(api POST "$EMU$COLLECTION" "$BENCH_APNS_BODY" | json_field '["id"]')"
api POST "$EMU$COLLECTION" "$BENCH_FCM_BODY" >/dev/null
api POST "$EMU$COLLECTION" "$BENCH_HMS_BODY" >/dev/null
ITEM="$COLLECTION/$CREDENTIAL_ID"
echo "emulator read answer: $(api GET "$EMU$ITEM" | wc -c) bytes;" \
    "reference: $(api GET "$REF$ITEM" | wc -c) bytes"
echo "emulator list answer: $(api GET "$EMU$COLLECTION" | wc -c) bytes;" \
    "reference: $(api GET "$REF$COLLECTION" | wc -c) bytes"

echo "==> warm-up"
for side in "$REF" "$EMU"; do
    wrk -t2 -c8 -d2s "$side$ITEM" -H 'Authorization: Bearer bench' >/dev/null
done

echo "==> throughput and latency ($DURATION per run, $REPS repetitions, alternating)"
for workload in read list create mixed; do
    for conns in $CONNS; do
        # mixed keeps its cycle state per thread, so it needs one thread per connection; the
        # others use two threads (the machine's core count), identical for both sides.
        threads=2
        [[ $workload == mixed ]] && threads=$conns
        path="$ITEM"
        [[ $workload == list || $workload == create || $workload == mixed ]] && path="$COLLECTION"
        for rep in $(seq 1 "$REPS"); do
            wrk_run "$workload c=$conns reference rep=$rep" "$workload.lua" "$threads" "$conns" "$DURATION" "$REF$path"
            wrk_run "$workload c=$conns emulator rep=$rep" "$workload.lua" "$threads" "$conns" "$DURATION" "$EMU$path"
        done
    done
done
echo "emulator RSS after the load runs: $(rss_kib "$PID_emu") KiB"
stop_servers

echo "==> start-up to first /readyz, idle memory"
python3 "$BENCH_DIR/startup.py" --runs "${BENCH_STARTS:-30}" "$EMULATOR" "$REFERENCE" | tee "$WORK/startup.txt"

python3 "$BENCH_DIR/summarize.py" "$WORK/results.txt" | tee "$WORK/summary.md"

if [[ "${BENCH_SCALE:-1}" == 1 ]]; then
    WORK="$WORK" bash "$BENCH_DIR/scale.sh"
fi
