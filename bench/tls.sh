#!/usr/bin/env bash
# HTTPS against plain HTTP on one emulator, in one run: bash bench/tls.sh
#
#   read        GET one APNS credential on keep-alive connections (the TLS handshake is paid
#               once per connection; what is left is record encryption)
#   handshake   the same GET with `Connection: close`, so every request is a new connection:
#               for HTTPS, requests per second are new TLS connections (full handshakes) per second
#
# Plain and TLS alternate on every repetition, and the ratios are medians of the per-repetition
# ratios (TLS / plain), as in bench/run.sh. Knobs: BENCH_DURATION (3s), BENCH_REPS (7),
# BENCH_CONNS (32).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_DURATION:-3s}"
REPS="${BENCH_REPS:-7}"
CONNS="${BENCH_CONNS:-32}"
use_work tls
trap stop_servers EXIT
write_bodies

TLS_PORT="$(free_port)"
emulator_tls() {
    RUST_LOG="${BENCH_LOG:-warn}" exec "$EMULATOR" --tls-listen "127.0.0.1:$TLS_PORT" \
        --tls-dir "$WORK/tls" --listen "$@"
}
start_server emu emulator_tls
PLAIN="http://127.0.0.1:$PORT_emu"
TLS="https://127.0.0.1:$TLS_PORT"
COLLECTION="/v1/environments/$ENV_ID/applications/$APP_ID/pushCredentials"
ITEM="$COLLECTION/$(api POST "$PLAIN$COLLECTION" "$BENCH_APNS_BODY" | json_field '["id"]')"
curl -fsS --cacert "$WORK/tls/ca.pem" -o /dev/null -H 'Authorization: Bearer bench' "$TLS$ITEM" \
    || { echo "the TLS listener does not answer with a certificate its CA verifies" >&2; exit 1; }
echo "==> $(wrk --version 2>&1 | head -1); results in $WORK"

echo "==> warm-up"
for side in "$PLAIN" "$TLS"; do
    wrk -t2 -c8 -d2s "$side$ITEM" -H 'Authorization: Bearer bench' >/dev/null
done

RESULTS="$WORK/tls-results.txt"
for rep in $(seq 1 "$REPS"); do
    for side in plain tls; do
        base="$PLAIN"
        [[ $side == tls ]] && base="$TLS"
        wrk_run "read $side rep=$rep" read.lua 2 "$CONNS" "$DURATION" "$base$ITEM"
        line="$(BENCH_TAG=1 wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 5s -H 'Connection: close' \
            -s "$BENCH_WRK_DIR/read.lua" "$base$ITEM" | grep '^RESULT')"
        echo "handshake $side rep=$rep ${line#RESULT }" | tee -a "$WORK/results.txt"
    done
done
cp "$WORK/results.txt" "$RESULTS"

python3 - "$RESULTS" <<'PY' | tee "$WORK/summary.md"
import statistics, sys
from collections import defaultdict
runs = defaultdict(dict)
for line in open(sys.argv[1]):
    words = line.split()
    fields = dict(word.split("=", 1) for word in words[3:])
    runs[(words[0], words[1])][words[2]] = fields
print("| workload | plain rps (median) | TLS rps (median) | TLS / plain (median of pairs) | pairs min-max | TLS p99 ms | bad |")
print("|---|---|---|---|---|---|---|")
for workload in ["read", "handshake"]:
    plain, tls = runs[(workload, "plain")], runs[(workload, "tls")]
    pairs = [float(tls[r]["rps"]) / float(plain[r]["rps"]) for r in plain if r in tls]
    med = lambda rows, key: statistics.median(float(row[key]) for row in rows.values())
    bad = sum(int(row[k]) for rows in (plain, tls) for row in rows.values() for k in ("non2xx", "bad"))
    print(f"| {workload} | {med(plain, 'rps'):,.0f} | {med(tls, 'rps'):,.0f} | "
          f"{statistics.median(pairs):.3f} | {min(pairs):.3f}-{max(pairs):.3f} | "
          f"{med(tls, 'p99_us') / 1000:.2f} | {bad} |")
PY
