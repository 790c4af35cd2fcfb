#!/usr/bin/env bash
# Build the container image from ./Dockerfile and smoke-test it.
#
# Default (CI here: Debian 12, root, no container registry reachable):
#   - engine: podman (rootful, runc, cgroupfs)
#   - the Dockerfile's build base image (docker.io/library/rust:<ver>-bookworm)
#     cannot be pulled, so a local stand-in with the same name is made once:
#     a debootstrap'ed bookworm rootfs + gcc/libc6-dev + the host's Rust
#     toolchain, imported with `podman import`. It is reused while it exists.
#   - crates are fetched on the host (`cargo fetch --locked`) and the host's
#     cargo registry is mounted into the build (`podman build -v`), with
#     CARGO_NET_OFFLINE=true, so the build container needs no network.
#   The Dockerfile itself is built unchanged.
#
# On a machine with real registries (GitHub Actions):
#   CONTAINER_ENGINE=docker SKIP_BASE_STANDIN=1 scripts/container-smoke.sh
#
# Environment knobs:
#   CONTAINER_ENGINE   podman (default) | docker
#   SKIP_BASE_STANDIN  1 = use the real base image and network crate fetching
#   PROJECT_DIR        build context (default: the repo this script is in)
#   IMAGE_TAG          default localhost/pingone-push-mock:smoke
#   MAX_IMAGE_BYTES    default 20000000 (20 MB)
#   HEALTHY_TIMEOUT    seconds to wait for healthy (default 60)
#   STANDIN_CACHE_DIR  scratch space for the stand-in rootfs
#                      (default /var/cache/pingone-push-mock/standin)
#   DEBIAN_MIRROR      default http://deb.debian.org/debian
#   KEEP_IMAGE         1 (default) = keep the smoke image afterwards
#   KEEP_BUILD_CACHE   1 = keep the untagged build-stage images (default: remove)
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'container-smoke: FAIL: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

SCRIPT_START_MS=$(now_ms)
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_DIR=$(cd "${PROJECT_DIR:-$SCRIPT_DIR/..}" && pwd)
CONTAINER_ENGINE=${CONTAINER_ENGINE:-podman}
SKIP_BASE_STANDIN=${SKIP_BASE_STANDIN:-0}
IMAGE_TAG=${IMAGE_TAG:-localhost/pingone-push-mock:smoke}
MAX_IMAGE_BYTES=${MAX_IMAGE_BYTES:-20000000}
HEALTHY_TIMEOUT=${HEALTHY_TIMEOUT:-60}
STANDIN_CACHE_DIR=${STANDIN_CACHE_DIR:-/var/cache/pingone-push-mock/standin}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEEP_IMAGE=${KEEP_IMAGE:-1}
KEEP_BUILD_CACHE=${KEEP_BUILD_CACHE:-0}
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
export DEBIAN_FRONTEND=noninteractive

DOCKERFILE="$PROJECT_DIR/Dockerfile"
[[ -f "$DOCKERFILE" ]] || die "no Dockerfile in $PROJECT_DIR"
[[ -f "$PROJECT_DIR/Cargo.lock" ]] || die "no Cargo.lock in $PROJECT_DIR (the image builds with --locked)"

case "$CONTAINER_ENGINE" in
  # Without systemd, podman logs an error for every healthcheck timer it
  # cannot create/remove; those lines are noise (we run the check ourselves).
  podman) eng() {
            podman --runtime runc --cgroup-manager cgroupfs "$@" \
              2> >(grep -v --line-buffered 'unable to get systemd connection' >&2)
          } ;;
  docker) eng() { docker "$@"; } ;;
  *) die "CONTAINER_ENGINE must be podman or docker, not '$CONTAINER_ENGINE'" ;;
esac

# rustup installs into ~/.cargo/bin, which a non-login shell may not have on PATH.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
  PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi

# ---------------------------------------------------------------- tools ----
ensure_packages() {
  # ensure_packages CMD:PKG ... -- installs PKG when CMD is missing.
  local missing=() spec
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null 2>&1 || die "missing tools (${missing[*]}) and no apt-get"
  log "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq >/dev/null \
    || die "apt-get update failed"
  "${SUDO[@]}" apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

if [[ "$CONTAINER_ENGINE" == podman ]]; then
  # podman pulls in conmon, netavark/aardvark-dns (networking), catatonit.
  pkgs=(podman:podman runc:runc iptables:iptables curl:curl jq:jq file:file)
  [[ "$SKIP_BASE_STANDIN" == 1 ]] || pkgs+=(debootstrap:debootstrap)
  ensure_packages "${pkgs[@]}"
else
  command -v docker >/dev/null 2>&1 || die "CONTAINER_ENGINE=docker but docker is not installed"
  ensure_packages curl:curl jq:jq file:file
fi

# The base image name is whatever the Dockerfile's RUST_IMAGE ARG defaults to.
BASE_IMAGE=$(sed -nE 's/^[[:space:]]*ARG[[:space:]]+RUST_IMAGE=([^[:space:]]+).*/\1/p' "$DOCKERFILE" | head -n1)
[[ -n "$BASE_IMAGE" ]] || die "could not find 'ARG RUST_IMAGE=...' in $DOCKERFILE"

# ------------------------------------------------------ base stand-in -----
make_base_standin() {
  local rootfs="$STANDIN_CACHE_DIR/rootfs" sysroot rustc_ver tc tc_name
  command -v rustc >/dev/null 2>&1 || die "the stand-in copies the host's Rust toolchain, but rustc is not on PATH"
  sysroot=$(rustc --print sysroot)
  rustc_ver=$(rustc --version)
  [[ -x "$sysroot/bin/cargo" && -x "$sysroot/bin/rustc" ]] || die "no cargo/rustc under $sysroot/bin"
  [[ -d "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/lib" ]] || die "host toolchain lacks the x86_64-unknown-linux-gnu std"
  case "$BASE_IMAGE" in
    *:"$(rustc --version | awk '{print $2}' | cut -d. -f1,2)"*) ;;
    *) log "warning: $BASE_IMAGE is stood in for by host $rustc_ver" ;;
  esac
  local t0; t0=$(now_ms)
  log "building stand-in for $BASE_IMAGE (debootstrap bookworm + host $rustc_ver) in $rootfs"
  rm -rf "$rootfs"; mkdir -p "$rootfs"
  if ! debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates,pkg-config \
        bookworm "$rootfs" "$DEBIAN_MIRROR" >"$STANDIN_CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 30 "$STANDIN_CACHE_DIR/debootstrap.log" >&2
    die "debootstrap failed (log: $STANDIN_CACHE_DIR/debootstrap.log)"
  fi
  # Trim what a build never reads.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
         "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
         "$rootfs"/usr/share/locale/*
  # Host toolchain, laid out like the official image: RUSTUP_HOME=/usr/local/rustup,
  # CARGO_HOME=/usr/local/cargo with cargo/rustc/rustdoc in /usr/local/cargo/bin
  # (symlinks; rustc finds its sysroot and libs through /proc/self/exe).
  tc_name=$(basename "$sysroot")
  tc="$rootfs/usr/local/rustup/toolchains/$tc_name"
  mkdir -p "$tc/bin" "$tc/lib/rustlib" "$rootfs/usr/local/cargo/bin"
  cp -a "$sysroot/bin/cargo" "$sysroot/bin/rustc" "$tc/bin/"
  if [[ -x "$sysroot/bin/rustdoc" ]]; then cp -a "$sysroot/bin/rustdoc" "$tc/bin/"; fi
  cp -a "$sysroot"/lib/*.so* "$tc/lib/"
  cp -a "$sysroot/lib/rustlib/x86_64-unknown-linux-gnu" "$tc/lib/rustlib/"
  if [[ -d "$sysroot/lib/rustlib/etc" ]]; then cp -a "$sysroot/lib/rustlib/etc" "$tc/lib/rustlib/"; fi
  for b in "$tc"/bin/*; do ln -sfn "/usr/local/rustup/toolchains/$tc_name/bin/$(basename "$b")" "$rootfs/usr/local/cargo/bin/"; done
  log "importing stand-in rootfs ($(du -sh "$rootfs" | cut -f1)) as $BASE_IMAGE"
  tar -C "$rootfs" --numeric-owner -c . | eng import \
      --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
      --change 'ENV CARGO_HOME=/usr/local/cargo' \
      --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "ENV RUST_VERSION=$(rustc --version | awk '{print $2}')" \
      --change 'WORKDIR /' \
      --change 'CMD ["bash"]' \
      --message "local stand-in for $BASE_IMAGE (debootstrap bookworm + host $rustc_ver)" \
      --quiet - "$BASE_IMAGE" >/dev/null || die "podman import of the stand-in failed"
  rm -rf "$rootfs"
  log "stand-in ready in $(( ($(now_ms) - t0) / 1000 ))s"
}

BUILD_ARGS=(--tag "$IMAGE_TAG" --file "$DOCKERFILE" "${ULIMITS[@]}")
if [[ "$CONTAINER_ENGINE" == podman ]]; then
  # OCI image configs cannot carry HEALTHCHECK; docker format keeps it.
  BUILD_ARGS+=(--format docker)
fi

if [[ "$SKIP_BASE_STANDIN" != 1 ]]; then
  [[ "$CONTAINER_ENGINE" == podman ]] || die "the base stand-in needs podman (set SKIP_BASE_STANDIN=1 for docker)"
  mkdir -p "$STANDIN_CACHE_DIR"
  exec 9>"$STANDIN_CACHE_DIR/.lock"
  flock -w 900 9 || die "timed out waiting for another run building the stand-in"
  if eng image exists "$BASE_IMAGE"; then
    log "reusing local $BASE_IMAGE"
  else
    make_base_standin
  fi
  exec 9>&-
  eng run --rm --network none "${ULIMITS[@]}" "$BASE_IMAGE" sh -c 'cargo --version && rustc --version && cc --version | head -n1' >&2 \
    || die "$BASE_IMAGE does not have a working cargo/rustc/cc"

  # Crates: fetched here, mounted into the build, built offline.
  command -v cargo >/dev/null 2>&1 || die "cargo is needed on the host to pre-fetch crates"
  HOST_CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
  log "pre-fetching crates on the host (cargo fetch --locked) into $HOST_CARGO_HOME"
  (cd "$PROJECT_DIR" && cargo fetch --locked -q) || die "cargo fetch --locked failed"
  mkdir -p "$HOST_CARGO_HOME/registry" "$HOST_CARGO_HOME/git"
  BUILD_ARGS+=(--pull=never --network none
               --volume "$HOST_CARGO_HOME/registry:/usr/local/cargo/registry"
               --volume "$HOST_CARGO_HOME/git:/usr/local/cargo/git"
               --build-arg CARGO_NET_OFFLINE=true)
fi

# -------------------------------------------------------------- cleanup ----
CTR=""
XCTR=""
DANGLING_BEFORE=""
DANGLING_KNOWN=0
WORK=$(mktemp -d /tmp/container-smoke.XXXXXX)
cleanup() {
  local rc=$?
  if [[ -n "$CTR" ]]; then
    if ((rc != 0)); then
      log "container logs (last 40 lines):"
      eng logs "$CTR" 2>&1 | tail -n 40 >&2 || true
    fi
    eng rm -f "$CTR" >/dev/null 2>&1 || true
  fi
  if [[ -n "$XCTR" ]]; then eng rm -f "$XCTR" >/dev/null 2>&1 || true; fi
  if [[ "$KEEP_IMAGE" != 1 ]]; then eng rmi -f "$IMAGE_TAG" >/dev/null 2>&1 || true; fi
  if [[ "$KEEP_BUILD_CACHE" != 1 && "$DANGLING_KNOWN" == 1 ]]; then
    local new
    new=$(comm -13 <(printf '%s\n' "$DANGLING_BEFORE") \
                   <(eng images -q --no-trunc --filter dangling=true 2>/dev/null | sort -u) | grep . || true)
    # shellcheck disable=SC2086
    [[ -z "$new" ]] || eng rmi -f $new >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  if ((rc == 0)); then
    log "total script time: $(( ($(now_ms) - SCRIPT_START_MS) / 1000 ))s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build ----
log "building $IMAGE_TAG with $CONTAINER_ENGINE from $DOCKERFILE"
# Untagged images left behind by this build (the build stage, ~1 GB with
# target/) are removed at the end unless KEEP_BUILD_CACHE=1.
DANGLING_BEFORE=$(eng images -q --no-trunc --filter dangling=true | sort -u)
DANGLING_KNOWN=1
BUILD_LOG=$(mktemp /tmp/container-smoke-build.XXXXXX.log)
t0=$(now_ms)
if ! eng build "${BUILD_ARGS[@]}" "$PROJECT_DIR" >"$BUILD_LOG" 2>&1; then
  tail -n 60 "$BUILD_LOG" >&2
  die "image build failed (full log: $BUILD_LOG)"
fi
BUILD_MS=$(( $(now_ms) - t0 ))
grep -q 'HEALTHCHECK is not supported' "$BUILD_LOG" && die "HEALTHCHECK was dropped from the image"
rm -f "$BUILD_LOG"
log "build took ${BUILD_MS}ms"

# ---------------------------------------------------------- image checks ---
IMAGE_BYTES=$(eng image inspect --format '{{.Size}}' "$IMAGE_TAG")
printf 'image size: %s bytes (%s MB, limit %s bytes)\n' "$IMAGE_BYTES" \
  "$(awk -v b="$IMAGE_BYTES" 'BEGIN { printf "%.2f", b / 1000000 }')" "$MAX_IMAGE_BYTES"
(( IMAGE_BYTES < MAX_IMAGE_BYTES )) || die "image is $IMAGE_BYTES bytes, limit is $MAX_IMAGE_BYTES"

cfg_user=$(eng image inspect --format '{{.Config.User}}' "$IMAGE_TAG")
[[ "$cfg_user" == 65532:65532 ]] || die "image USER is '$cfg_user', want 65532:65532"
cfg_hc=$(eng image inspect --format '{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}' "$IMAGE_TAG")
[[ "$cfg_hc" == *'/pingone-push-mock'*'healthcheck'* ]] || die "image has no HEALTHCHECK running '/pingone-push-mock healthcheck' (got '$cfg_hc')"

# --------------------------------------------------------- run and test ----

# The binary inside must be static (it is on scratch, but say so clearly).
XCTR=$(eng create "$IMAGE_TAG")
eng cp "$XCTR:/pingone-push-mock" "$WORK/bin" >/dev/null
eng rm -f "$XCTR" >/dev/null; XCTR=""
bin_desc=$(file -b "$WORK/bin")
printf 'binary: %s\n' "$bin_desc"
[[ "$bin_desc" == *"statically linked"* || "$bin_desc" == *"static-pie linked"* ]] \
  || die "binary is not statically linked: $bin_desc"
rm -f "$WORK/bin"

NAME="pingone-push-mock-smoke-$$"
RUN_ARGS=(run -d --name "$NAME" -p 127.0.0.1::8080 -p 127.0.0.1::8443 "${ULIMITS[@]}")
log "starting container $NAME"
t_run=$(now_ms)
CTR=$(eng "${RUN_ARGS[@]}" "$IMAGE_TAG") || die "$CONTAINER_ENGINE run failed"

# Wait (bounded) for the image's own healthcheck command to pass.
deadline=$(( t_run + HEALTHY_TIMEOUT * 1000 ))
healthy_ms=""
while (( $(now_ms) < deadline )); do
  running=$(eng inspect --format '{{.State.Running}}' "$CTR" 2>/dev/null || echo false)
  [[ "$running" == true ]] || die "container exited before becoming healthy"
  if [[ "$CONTAINER_ENGINE" == podman ]]; then
    if eng healthcheck run "$CTR" >/dev/null 2>&1; then healthy_ms=$(( $(now_ms) - t_run )); break; fi
  else
    if eng exec "$CTR" /pingone-push-mock healthcheck >/dev/null 2>&1; then healthy_ms=$(( $(now_ms) - t_run )); break; fi
  fi
  sleep 0.1
done
[[ -n "$healthy_ms" ]] || die "container not healthy within ${HEALTHY_TIMEOUT}s"
printf 'run-to-healthy: %s ms\n' "$healthy_ms"
if [[ "$CONTAINER_ENGINE" == podman ]]; then
  status=$(eng inspect --format '{{.State.Health.Status}}' "$CTR")
  [[ "$status" == healthy ]] || die "podman reports health status '$status'"
fi

if [[ "$CONTAINER_ENGINE" == docker ]]; then
  # Docker runs the HEALTHCHECK itself (first probe after --interval); wait for its verdict too.
  status=""
  while (( $(now_ms) < deadline + 30000 )); do
    status=$(eng inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CTR")
    [[ "$status" == healthy || "$status" == unhealthy ]] && break
    sleep 0.5
  done
  [[ "$status" == healthy ]] || die "docker reports health status '$status'"
  printf 'docker health status: healthy after %s ms\n' "$(( $(now_ms) - t_run ))"
fi

# Not root: read the container's PID 1 credentials from the host's /proc.
pid=$(eng inspect --format '{{.State.Pid}}' "$CTR")
[[ "$pid" =~ ^[0-9]+$ && "$pid" -gt 0 ]] || die "could not find the container's pid (got '$pid')"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
printf 'process uid/gid (real eff saved fs): %s / %s\n' "$uids" "$gids"
for u in $uids; do [[ "$u" != 0 ]] || die "container process runs with uid 0"; done
for g in $gids; do [[ "$g" != 0 ]] || die "container process runs with gid 0"; done

PORT=$(eng port "$CTR" 8080/tcp | sed -nE 's/^127\.0\.0\.1:([0-9]+)$/\1/p' | head -n1)
[[ -n "$PORT" ]] || die "no 127.0.0.1 host port published for 8080/tcp ($(eng port "$CTR" 2>&1))"
TLS_PORT=$(eng port "$CTR" 8443/tcp | sed -nE 's/^127\.0\.0\.1:([0-9]+)$/\1/p' | head -n1)
[[ -n "$TLS_PORT" ]] || die "no 127.0.0.1 host port published for 8443/tcp ($(eng port "$CTR" 2>&1))"
BASE="http://127.0.0.1:$PORT"
log "server at $BASE and https://api.pingone.test:$TLS_PORT"

SECRETS=(s3cr3t other)
CURL_EXTRA=()
# req METHOD PATH [JSON] -> sets STATUS and BODY
req() {
  local method=$1 path=$2 data=${3:-} args=()
  args=(-sS -o "$WORK/body" -w '%{http_code}' --max-time 10 -X "$method"
        -H 'Authorization: Bearer test' -H 'Accept: application/json' "${CURL_EXTRA[@]}")
  [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
  STATUS=$(curl "${args[@]}" "$BASE$path") || die "$method $path: curl failed"
  BODY=$(cat "$WORK/body")
  local s
  for s in "${SECRETS[@]}"; do
    [[ "$BODY" != *"$s"* ]] || die "$method $path: response body leaks the secret '$s': $BODY"
  done
}
PASSED=0
expect() { # expect STATUS what
  [[ "$STATUS" == "$1" ]] || die "$2: want HTTP $1, got $STATUS, body: $BODY"
  PASSED=$((PASSED + 1))
  printf 'ok  %-55s -> %s\n' "$2" "$STATUS"
}

# crud LABEL: the five push-credential calls at $BASE, whose origin the hrefs must carry.
crud() {
  local label=$1 env_id app_id col cred_id item
  req GET /readyz;                                           expect 200 "$label GET /readyz"
  env_id=$(cat /proc/sys/kernel/random/uuid)
  app_id=$(cat /proc/sys/kernel/random/uuid)
  col="/v1/environments/$env_id/applications/$app_id/pushCredentials"

  req POST "$col" '{"type":"HMS","clientId":"cid","clientSecret":"s3cr3t"}'
  expect 201 "$label POST pushCredentials (HMS)"
  cred_id=$(jq -er '.id | strings' <<<"$BODY") || die "create: no string id in body: $BODY"
  item="$col/$cred_id"
  [[ "$(jq -r '._links.self.href' <<<"$BODY")" == "$BASE$item" ]] \
    || die "$label create: self href is not $BASE$item: $BODY"

  req GET "$item";                                           expect 200 "$label GET pushCredentials/{id}"
  [[ "$(jq -r '.id' <<<"$BODY")" == "$cred_id" ]] || die "GET item: wrong id in body: $BODY"
  req GET "$col";                                            expect 200 "$label GET pushCredentials (list)"
  [[ "$BODY" == *"$cred_id"* ]] || die "list does not contain $cred_id: $BODY"
  req PUT "$item" '{"type":"HMS","clientId":"cid2","clientSecret":"other"}'
  expect 200 "$label PUT pushCredentials/{id}"
  req DELETE "$item";                                        expect 204 "$label DELETE pushCredentials/{id}"
  req GET "$item";                                           expect 404 "$label GET pushCredentials/{id} after delete"
}

crud http

# HTTPS as Terraform reaches it: the api host name, trusting only the CA the image made.
curl -sS --max-time 10 -o "$WORK/ca.pem" "$BASE/__admin/tls/ca.pem" || die "cannot fetch the CA certificate"
grep -q 'BEGIN CERTIFICATE' "$WORK/ca.pem" || die "/__admin/tls/ca.pem is not a PEM certificate"
! grep -q 'PRIVATE KEY' "$WORK/ca.pem" || die "/__admin/tls/ca.pem holds a private key"
BASE="https://api.pingone.test:$TLS_PORT"
CURL_EXTRA=(--cacert "$WORK/ca.pem" --resolve "api.pingone.test:$TLS_PORT:127.0.0.1")
crud https

# Graceful stop: informational (a server that ignores SIGTERM as PID 1 is
# only SIGKILLed after the engine's 10 s grace period).
t0=$(now_ms)
eng stop -t 10 "$CTR" >/dev/null 2>&1 || true
stop_ms=$(( $(now_ms) - t0 ))
exit_code=$(eng inspect --format '{{.State.ExitCode}}' "$CTR" 2>/dev/null || echo '?')
printf 'stop: %s ms, exit code %s\n' "$stop_ms" "$exit_code"
if [[ "$exit_code" == 137 ]]; then
  log "warning: the server did not exit on SIGTERM (killed after the grace period)"
fi

echo "container-smoke: $PASSED passed, 0 failed"
