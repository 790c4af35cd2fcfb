#!/usr/bin/env bash
# The linux/arm64 side of the image, proved on an x86_64 machine: the static aarch64 binary the
# Dockerfile builds on arm64 (aarch64-unknown-linux-gnu, +crt-static) is cross-compiled here,
# then run under qemu-user far enough to answer /readyz and one create, over HTTP and HTTPS.
#
# Installs what it needs: Debian's gcc-aarch64-linux-gnu and qemu-user-static, and the Rust
# standard library for aarch64 (rustup target add). Everything listens on 127.0.0.1.
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'arm64-smoke: FAIL: %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=aarch64-unknown-linux-gnu
BIN="$ROOT/target/$TARGET/release/pingone-push-mock"
export DEBIAN_FRONTEND=noninteractive
SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
for tool in curl jq file; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq >/dev/null \
    && "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
if ! rustup target list --installed | grep -qx "$TARGET"; then
  log "rustup target add $TARGET"
  rustup target add "$TARGET" >/dev/null || die "rustup target add $TARGET failed"
fi

log "cargo build --release --target $TARGET (static)"
(cd "$ROOT" && \
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
  RUSTFLAGS="-C target-feature=+crt-static" \
  CARGO_PROFILE_RELEASE_STRIP=symbols \
  cargo build --release --locked --quiet --target "$TARGET" --bin pingone-push-mock)
description=$(file -b "$BIN")
printf 'binary: %s\n' "$description"
[[ "$description" == *"ARM aarch64"* ]] || die "not an aarch64 binary"
[[ "$description" == *"statically linked"* || "$description" == *"static-pie linked"* ]] \
  || die "not statically linked"
printf 'binary size: %s bytes (the arm64 image is this binary and an empty /tls, FROM scratch)\n' \
  "$(stat -c %s "$BIN")"

WORK=$(mktemp -d /tmp/arm64-smoke.XXXXXX)
PID=""
cleanup() {
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
HTTP_PORT=$(free_port)
TLS_PORT=$(free_port)
log "running it under qemu-aarch64-static on 127.0.0.1:$HTTP_PORT and :$TLS_PORT"
qemu-aarch64-static "$BIN" --listen "127.0.0.1:$HTTP_PORT" --tls-listen "127.0.0.1:$TLS_PORT" \
  --tls-dir "$WORK/tls" >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/log" >&2; die "the arm64 binary exited"; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz" | jq -e '.status == "READY"' >/dev/null \
  || die "/readyz is not READY"
echo "ok  GET /readyz -> 200"

COLLECTION="/v1/environments/$(cat /proc/sys/kernel/random/uuid)/applications/$(cat /proc/sys/kernel/random/uuid)/pushCredentials"
create() { # create BASE [curl args...]
  local base=$1
  shift
  curl -sS -o "$WORK/body" -w '%{http_code}' --max-time 20 "$@" -X POST "$base$COLLECTION" \
    -H 'Authorization: Bearer arm64' -H 'Content-Type: application/json' \
    -d "{\"type\":\"$TYPE\",\"clientId\":\"arm64\",\"clientSecret\":\"s3cr3t\"}"
}
TYPE=HMS
status=$(create "http://127.0.0.1:$HTTP_PORT")
[[ "$status" == 201 ]] || die "create over HTTP: $status $(cat "$WORK/body")"
! grep -q s3cr3t "$WORK/body" || die "the create answer holds the secret"
echo "ok  POST pushCredentials over HTTP -> 201"
# A second create of the same type is refused; over HTTPS, at the api host name, it shows TLS works.
status=$(create "https://api.pingone.test:$TLS_PORT" --cacert "$WORK/tls/ca.pem" \
  --resolve "api.pingone.test:$TLS_PORT:127.0.0.1")
[[ "$status" == 400 ]] || die "second create over HTTPS: want 400, got $status $(cat "$WORK/body")"
jq -e '.details[0].code == "UNIQUENESS_VIOLATION"' "$WORK/body" >/dev/null \
  || die "second create over HTTPS: $(cat "$WORK/body")"
echo "ok  POST pushCredentials (same type) over HTTPS -> 400 UNIQUENESS_VIOLATION"
echo "arm64-smoke: 3 passed, 0 failed"
