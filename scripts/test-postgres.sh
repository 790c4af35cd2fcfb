#!/usr/bin/env bash
# The test suite against the PostgreSQL store: starts a throwaway cluster from the installed
# PostgreSQL (scripts/postgres.sh installs it when it may), runs `cargo test` with
# PINGONE_MOCK_TEST_DATABASE pointing at it, so that every server the API suite spawns keeps its
# state there, and runs the tests that need PostgreSQL (ignored otherwise: two replicas on one
# database, a database stopped and restarted under load). Stops the cluster at the end.
# Extra arguments go to `cargo test` (before `--`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DIR="${PG_TEST_DIR:-target/postgres-test}"
rm -rf "$DIR"
URL="$(bash scripts/postgres.sh start "$DIR")"
trap 'bash scripts/postgres.sh stop "$DIR" || true' EXIT
echo "==> PostgreSQL at $URL ($DIR)"
# The replica tests stop and start the cluster through these.
export PINGONE_MOCK_TEST_DATABASE="$URL"
export PINGONE_MOCK_TEST_CLUSTER="$DIR"
cargo test --locked "$@" -- --include-ignored
