#!/usr/bin/env bash
# The PostgreSQL store against the memory store: bash bench/postgres.sh
#
# A throwaway PostgreSQL cluster (scripts/postgres.sh, fsync and synchronous commit on: every
# acknowledged write is on disk), then the four workloads of bench/run.sh (read, list, create,
# mixed) against three sides, alternating in every repetition: the memory store, one replica on
# PostgreSQL, and two replicas on the same database, each loaded by a wrk of its own with half the
# connections (their req/s added up; no load balancer to measure). Database, replicas and load
# generator share this machine's cores. Ratios are medians of the per-repetition pairs.
# Knobs: BENCH_DURATION (3s), BENCH_REPS (5), BENCH_CONNS ("32").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_DURATION:-3s}"
REPS="${BENCH_REPS:-5}"
CONNS="${BENCH_CONNS:-32}"
use_work postgres
write_bodies

PG_DIR="$WORK/pg"
DATABASE="$(bash "$ROOT/scripts/postgres.sh" start "$PG_DIR")"
trap 'stop_servers; bash "$ROOT/scripts/postgres.sh" stop "$PG_DIR"' EXIT
echo "==> PostgreSQL at $DATABASE; results in $WORK"

on_database() { RUST_LOG="${BENCH_LOG:-warn}" exec "$EMULATOR" --store "$DATABASE" --listen "$@"; }
start_server memory emulator
start_server one on_database
start_server two on_database
ports_of() { # the replicas of a side
    case "$1" in
    memory) echo "$PORT_memory" ;;
    one) echo "$PORT_one" ;;
    two) echo "$PORT_one $PORT_two" ;;
    esac
}

COLLECTION="/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"
declare -A ITEM
for store in memory database; do
    port="$PORT_memory"
    [[ $store == database ]] && port="$PORT_one"
    url="http://127.0.0.1:$port"
    ITEM[$store]="$COLLECTION/$(api POST "$url$COLLECTION" "$BENCH_APNS_BODY" | json_field '["id"]')"
    api POST "$url$COLLECTION" "$BENCH_FCM_BODY" >/dev/null
    api POST "$url$COLLECTION" "$BENCH_HMS_BODY" >/dev/null
done

: >"$WORK/results.txt"
for workload in read list create mixed; do
    for conns in $CONNS; do
        for rep in $(seq 1 "$REPS"); do
            for side in memory one two; do
                read -r -a ports <<<"$(ports_of "$side")"
                share=$((conns / ${#ports[@]}))
                threads=2
                [[ $workload == mixed ]] && threads=$share
                ((threads > share)) && threads=$share
                path="$COLLECTION"
                if [[ $workload == read ]]; then
                    path="${ITEM[database]}"
                    [[ $side == memory ]] && path="${ITEM[memory]}"
                fi
                pids=()
                for index in "${!ports[@]}"; do
                    wrk_run "$workload c=$conns $side rep=$rep replica=$index" "$workload.lua" \
                        "$threads" "$share" "$DURATION" "http://127.0.0.1:${ports[$index]}$path" \
                        >/dev/null &
                    pids+=($!)
                done
                wait "${pids[@]}"
            done
        done
    done
done

python3 - "$WORK/results.txt" <<'PY' | tee "$WORK/summary.md"
import collections, re, statistics, sys
runs = collections.defaultdict(lambda: collections.defaultdict(float))
bad = collections.Counter()
for line in open(sys.argv[1]):
    label, _, fields = line.partition(" requests=")
    workload, conns, side, rep, _replica = label.split()
    values = dict(re.findall(r"(\w+)=(\S+)", "requests=" + fields))
    runs[(workload, conns, side)][rep] += float(values["rps"])
    bad[(workload, conns, side)] += int(values["non2xx"]) + int(values["socket_errors"]) + int(values["bad"])
print("| workload | conns | memory req/s | PostgreSQL, one replica | two replicas | one / memory | two / one | unexpected statuses, socket errors |")
print("|---|---|---|---|---|---|---|---|")
for workload, conns in dict.fromkeys((w, c) for (w, c, _) in runs):
    sides = {side: runs[(workload, conns, side)] for side in ("memory", "one", "two")}
    median = {side: statistics.median(reps.values()) for side, reps in sides.items()}
    ratio = lambda a, b: statistics.median(sides[a][rep] / sides[b][rep] for rep in sides[a])
    errors = sum(bad[(workload, conns, side)] for side in sides)
    print(f"| {workload} | {conns[2:]} | {median['memory']:,.0f} | **{median['one']:,.0f}** | "
          f"**{median['two']:,.0f}** | {ratio('one', 'memory'):.3f} | {ratio('two', 'one'):.2f} | {errors} |")
PY
