#!/usr/bin/env bash
# Fuzzes the API from the OpenAPI document it serves: schemathesis (PyPI), every check on,
# positive and negative data, bounded in time. A step of .ci/run: fails on any failure, on any
# error, and when fewer than FUZZ_MIN_CASES cases were generated.
#
# scripts/fuzz_hooks.py gives schemathesis what the document states but a generator cannot
# derive from it (the content of two string formats, and the 400s that depend on what the server
# holds); read it before reading a failure. scripts/schemathesis.toml has the settings the
# command line cannot give. /__admin is left out: its fault rules make later answers fail on
# purpose.
#
# Knobs: FUZZ_EXAMPLES (examples per operation and phase, default 100), FUZZ_SECONDS (time bound
# of the schemathesis run, default 600), FUZZ_MIN_CASES (default 2000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="target/fuzz-venv"
REQUIREMENTS="scripts/fuzz-requirements.txt"
SCHEMATHESIS_VERSION="$(sed -n 's/^schemathesis==//p' "$REQUIREMENTS")"
MIN_CASES="${FUZZ_MIN_CASES:-2000}"
SEED_FILE="examples/seed.json"

# A virtual environment of its own. Debian ships `venv` separately (python3-venv): install it
# when we may, as CI runs as root on a fresh machine.
make_venv() {
    rm -rf "$VENV"
    python3 -m venv "$VENV" 2>/dev/null && return 0
    rm -rf "$VENV"
    if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
        echo "==> python3 -m venv is missing: installing python3-venv"
        local minor
        minor="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv "python$minor-venv" >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                python3-venv "python$minor-venv" >/dev/null; }
        python3 -m venv "$VENV" && return 0
    fi
    echo "error: python3 -m venv does not work here; install python3-venv" >&2
    return 1
}

# Installed again whenever the pinned set changes.
if ! cmp -s "$REQUIREMENTS" "$VENV/installed-requirements.txt" || [[ ! -x "$VENV/bin/st" ]]; then
    echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    make_venv
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/installed-requirements.txt"
fi
"$VENV/bin/st" --version

cargo build --locked --quiet --bin pingone-push-mock
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Real tokens (--auth jwt), so that the authentication checks mean something: the worker of
# the seed file gets one; in auto tenancy it manages every environment.
RUST_LOG=warn target/debug/pingone-push-mock --listen "127.0.0.1:$PORT" \
    --auth jwt --seed-file "$SEED_FILE" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.05
done

TOKEN="$(curl -fsS -u a0b1c2d3-0000-4000-8000-0000000000a1:example-worker-secret-change-me \
    -d grant_type=client_credentials \
    "http://127.0.0.1:$PORT/a0b1c2d3-0000-4000-8000-000000000001/as/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

REPORT="target/fuzz-report"
rm -rf "$REPORT"
mkdir -p "$REPORT"
STATUS=0
SCHEMATHESIS_HOOKS="scripts/fuzz_hooks.py" FUZZ_SEED_FILE="$SEED_FILE" \
    timeout "${FUZZ_SECONDS:-600}" "$VENV/bin/st" --config-file scripts/schemathesis.toml \
    run "http://127.0.0.1:$PORT/openapi.json" \
    --checks all \
    --mode all \
    --max-examples "${FUZZ_EXAMPLES:-100}" \
    --exclude-path-regex '^/__admin' \
    --header "Authorization: Bearer $TOKEN" \
    --request-timeout 10 \
    --seed 1 \
    --report ndjson,json \
    --report-ndjson-path "$REPORT/events.ndjson" \
    --report-json-path "$REPORT/run.json" || STATUS=$?

if [[ "$STATUS" == 124 ]]; then
    echo "error: fuzzing did not finish within ${FUZZ_SECONDS:-600} s" >&2
    exit 1
fi
# The run's own figures, from its JSON report: one line, then the verdict.
python3 - "$REPORT/run.json" "$MIN_CASES" "$STATUS" <<'EOF'
import json
import sys

path, minimum, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    with open(path, encoding="utf-8") as file:
        run = json.load(file)
except (OSError, ValueError) as error:
    sys.exit(f"error: no schemathesis report ({error}); exit status {status}")
cases = run["test_cases"]
print(
    f"==> fuzz: {cases['generated']} cases generated, {cases['unique_failures']} unique failures "
    f"in {cases['with_failures']} cases, {cases['errored']} errored, "
    f"{run['running_time']:.1f} s, stop reason {run['stop_reason']}"
)
problems = []
if status != 0:
    problems.append(f"schemathesis exited with status {status}")
if cases["unique_failures"] or cases["with_failures"] or cases["errored"]:
    problems.append("failures or errors were found")
if cases["generated"] < minimum:
    problems.append(f"fewer than {minimum} cases were generated")
if problems:
    sys.exit("error: " + "; ".join(problems))
EOF
