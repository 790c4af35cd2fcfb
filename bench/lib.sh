# Helpers shared by the bench/*.sh scripts (sourced, not run).
# Every server is started on a free loopback port and stopped by its own pid on exit.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
export BENCH_WRK_DIR="$BENCH_DIR/wrk"
EMULATOR="$ROOT/target/release/pingone-push-mock"
REFERENCE="$ROOT/target/release/examples/reference_server"
ENV_ID="f59504de-3c45-4a37-8d70-d5ad75dfaaa0"
APP_ID="5e81bba1-5185-457c-926a-aae0e8939109"
SERVER_PIDS=()

need_tools() {
    local missing=()
    for tool in wrk curl python3; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        echo "==> installing ${missing[*]}"
        apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

build_release() {
    echo "==> cargo build --release"
    (cd "$ROOT" && cargo build --release --locked --quiet --bin pingone-push-mock --example reference_server)
}

# use_work NAME: the results folder. Run on its own (WORK unset, not from bench/run.sh), a script
# gets target/bench/NAME-<date> and the tools and release build the kit would have made.
use_work() {
    if [[ -z "${WORK:-}" ]]; then
        WORK="$ROOT/target/bench/$1-$(date +%Y%m%d-%H%M%S)"
        need_tools
        build_release
    fi
    mkdir -p "$WORK"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The request bodies the workloads send, written once into $WORK.
write_bodies() {
    python3 - "$ROOT/tests/fixtures" "$WORK" <<'EOF'
import json, pathlib, sys
fixtures, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
bodies = {
    "apns": {"key": "1U2ZP3G45W", "teamId": "ABCXYZ1234",
             "token": (fixtures / "apns-signing-key.p8").read_text(), "type": "APNS"},
    "fcm": {"googleServiceAccountCredentials": (fixtures / "service-account.json").read_text(),
            "type": "FCM_HTTP_V1"},
    "hms": {"clientId": "108046495", "clientSecret": "hms-client-secret-value", "type": "HMS"},
}
for name, body in bodies.items():
    (out / f"{name}.json").write_text(json.dumps(body, separators=(",", ":")))
EOF
    export BENCH_APNS_BODY="$WORK/apns.json" BENCH_FCM_BODY="$WORK/fcm.json" BENCH_HMS_BODY="$WORK/hms.json"
}

# start_server NAME COMMAND... : runs it in the background, waits for /readyz, sets PORT_<NAME>
# and PID_<NAME>. The command gets the address as its last argument.
start_server() {
    local name="$1"
    shift
    local port
    port="$(free_port)"
    "$@" "127.0.0.1:$port" >"$WORK/$name.log" 2>&1 &
    local pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 1 500); do
        curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
        sleep 0.01
    done
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "$name did not start" >&2; exit 1; }
    printf -v "PORT_$name" '%s' "$port"
    printf -v "PID_$name" '%s' "$pid"
}

stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
}

# Request logs are off (RUST_LOG=warn) unless BENCH_LOG says otherwise: at the default `info`
# every request writes a line, which measures the terminal or disk more than the emulator.
emulator() { RUST_LOG="${BENCH_LOG:-warn}" exec "$EMULATOR" --listen "$@"; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

api() { # api METHOD URL [BODY_FILE]
    local args=(-fsS -X "$1" -H 'Authorization: Bearer bench' -H 'Accept: application/json')
    [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$3")
    curl "${args[@]}" "$2"
}

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# wrk_run LABEL SCRIPT THREADS CONNS DURATION URL: runs wrk (bounded by --timeout and duration)
# and appends "LABEL <RESULT fields>" to $WORK/results.txt.
wrk_run() {
    local label="$1" script="$2" threads="$3" conns="$4" duration="$5" url="$6"
    local line
    line="$(BENCH_TAG=$((RANDOM * 32768 + RANDOM)) wrk -t"$threads" -c"$conns" -d"$duration" \
        --timeout 5s -s "$BENCH_WRK_DIR/$script" "$url" | grep '^RESULT')"
    echo "$label ${line#RESULT }" | tee -a "$WORK/results.txt"
}

# fill PORT FROM TOTAL TYPES: stores credentials through the API; fails on any non-201.
fill() {
    local started=$SECONDS threads=4 done_files="$WORK/fill-done" wrk_pid
    rm -f "$done_files".*
    FILL_FROM="$2" FILL_TOTAL="$3" FILL_TYPES="$4" FILL_THREADS=$threads FILL_DONE="$done_files" \
        wrk -t$threads -c$threads -d600s --timeout 5s -s "$BENCH_WRK_DIR/fill.lua" \
        "http://127.0.0.1:$1/healthz" >"$WORK/fill.out" &
    wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null && (($(compgen -G "$done_files.*" | wc -l) < threads)); do
        sleep 0.2
    done
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || true
    local line
    line="$(grep '^RESULT' "$WORK/fill.out")"
    echo "  filled $(($3 - $2)) in $((SECONDS - started)) s: ${line#RESULT }"
    [[ "$line" == *" bad=0"* ]] || { echo "fill failed" >&2; exit 1; }
}

# What stays resident once the work is done: after a pause for the allocator to settle.
settled_rss() { sleep 2; rss_kib "$1"; }
