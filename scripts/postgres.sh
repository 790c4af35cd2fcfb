#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from the installed server binaries, for the tests and benchmarks
# of the PostgreSQL store: no service, no password, loopback only, in a directory of its own.
#
#   scripts/postgres.sh start DIR   initialises DIR (once), starts the server, prints its URL
#   scripts/postgres.sh stop DIR    stops it (the data stays in DIR)
#   scripts/postgres.sh url DIR     prints the URL of a running cluster
#
# Installs Debian's `postgresql` package when no server is found and it may (root with apt-get).
# As root, the server runs as the `postgres` user, which initdb requires. PG_PORT picks the port
# (default: the one DIR last used, else a free one).
set -euo pipefail

command="${1:?usage: scripts/postgres.sh start|stop|url DIR}"
dir="${2:?usage: scripts/postgres.sh start|stop|url DIR}"

find_bin() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [[ -z "$found" ]] && command -v pg_ctl >/dev/null 2>&1; then
        found="$(dirname "$(command -v pg_ctl)")"
    fi
    echo "$found"
}

BIN="$(find_bin)"
if [[ -z "$BIN" ]]; then
    if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
        echo "==> installing postgresql (Debian package)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
        BIN="$(find_bin)"
    fi
fi
[[ -n "$BIN" ]] || { echo "error: no PostgreSQL server binaries (install the postgresql package)" >&2; exit 1; }

# Runs a server binary as the user that owns the cluster.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    [[ "$(id -u)" == 0 ]] && chown postgres "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # The port of the last start, so that clients reconnect after a restart; else a free one.
    port="${PG_PORT:-$(cat "$dir/port" 2>/dev/null || python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    # Sockets in DIR, TCP on loopback; enough connections for several replicas and the tests.
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=on" \
        start >/dev/null
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$BIN/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null
    fi
    ;;
url)
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop|url DIR" >&2
    exit 2
    ;;
esac
