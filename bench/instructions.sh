#!/usr/bin/env bash
# Instructions per request, emulator and reference: bash bench/instructions.sh
#
# Wall-clock figures on a shared two-core machine move by a third from one run to the next;
# instruction counts do not. Each server runs under valgrind's callgrind with instrumentation
# off while it starts (key generation, OpenAPI document) and during a 2 s warm-up, on for a
# bounded wrk run (BENCH_INSTR_DURATION, 5 s), off again; the figure is the instructions
# counted in user space divided by the requests wrk completed. Kernel work (the same system
# calls for both programs) is not counted. Workloads: read (GET one APNS credential) and
# mixed (create -> read -> replace -> delete, 4 connections, one thread each).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_INSTR_DURATION:-5s}"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
use_work instructions
write_bodies

# count NAME WORKLOAD THREADS CONNS COMMAND...: prints "NAME WORKLOAD <instructions per request>".
count() {
    local name="$1" workload="$2" threads="$3" conns="$4"
    shift 4
    local port out="$WORK/callgrind.$name.$workload" pid line requests total
    port="$(free_port)"
    RUST_LOG=warn valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
        "$@" "127.0.0.1:$port" >"$WORK/$name.$workload.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    local collection="http://127.0.0.1:$port/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"
    local target="$collection"
    if [[ $workload == read ]]; then
        local id
        id="$(api POST "$collection" "$BENCH_APNS_BODY" | json_field '["id"]' 2>/dev/null ||
            echo 174e1e05-5b67-4165-a28f-c69bbead44be)"
        target="$collection/$id"
    fi
    wrk -t"$threads" -c"$conns" -d2s --timeout 10s -s "$BENCH_WRK_DIR/$workload.lua" "$target" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    line="$(BENCH_TAG=$((RANDOM * 32768 + RANDOM)) wrk -t"$threads" -c"$conns" -d"$DURATION" \
        --timeout 10s -s "$BENCH_WRK_DIR/$workload.lua" "$target" | grep '^RESULT')"
    callgrind_control -i off "$pid" >/dev/null 2>&1
    kill "$pid"
    wait "$pid" || true
    requests="$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")"
    total="$(awk '/^totals:/ {print $2; exit}' "$out")"
    [[ "$line" == *" bad=0"* && "$line" == *"non2xx=0"* ]] || { echo "$name $workload: $line" >&2; exit 1; }
    echo "$name $workload $((total / requests)) instructions per request ($requests requests)" |
        tee -a "$WORK/instructions.txt"
}

echo "==> instructions per request (callgrind, user space)"
count reference read 1 8 "$REFERENCE"
count emulator read 1 8 "$EMULATOR" --listen
count reference mixed 4 4 "$REFERENCE"
count emulator mixed 4 4 "$EMULATOR" --listen
