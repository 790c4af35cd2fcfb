# Container image for pingone-push-mock.
#
#   docker build -t pingone-push-mock .
#   docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:8443:8443 pingone-push-mock
#
# HTTP on 8080, HTTPS on 8443 with a certificate signed by a local CA kept in
# the /tls volume (ca.pem there, or GET /__admin/tls/ca.pem, is what clients trust).
#
# Plain Dockerfile syntax (no BuildKit-only features), so it builds the same
# with `docker build`, `podman build` and `buildah bud`. With podman/buildah,
# pass `--format docker` or the HEALTHCHECK below is dropped (OCI image
# configs have no healthcheck field).

# Build image; override with --build-arg RUST_IMAGE=... (e.g. a mirror).
ARG RUST_IMAGE=docker.io/library/rust:1.95-bookworm

############################ build stage ############################
FROM ${RUST_IMAGE} AS build

# glibc target linked fully static (+crt-static): the binary needs no libc,
# loader or other files at run time, so it runs on `scratch`. The target is the
# build stage's own machine (x86_64 or aarch64), so the same file builds a
# native image on linux/amd64 and linux/arm64 (buildx runs the arm64 stage
# under QEMU); set RUST_TARGET to override.
ARG RUST_TARGET=
# Set to "true" to build from a pre-populated $CARGO_HOME/registry without
# touching the network (used by scripts/container-smoke.sh).
ARG CARGO_NET_OFFLINE=false

ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0

WORKDIR /src
COPY . .

# RUSTFLAGS only reach the --target artifacts, not build scripts or
# proc-macros (those must stay dynamic), which is why --target is explicit.
RUN set -eux; \
    if [ -z "${RUST_TARGET}" ]; then \
        case "$(uname -m)" in \
            x86_64) RUST_TARGET=x86_64-unknown-linux-gnu ;; \
            aarch64|arm64) RUST_TARGET=aarch64-unknown-linux-gnu ;; \
            *) echo "error: no Rust target known for $(uname -m); set RUST_TARGET" >&2; exit 1 ;; \
        esac; \
    fi; \
    RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_PROFILE_RELEASE_STRIP=symbols \
        cargo build --release --locked --target "${RUST_TARGET}" --bin pingone-push-mock; \
    mkdir -p /out/tls; \
    cp "target/${RUST_TARGET}/release/pingone-push-mock" /out/pingone-push-mock; \
    if readelf -lW /out/pingone-push-mock | grep -q 'Requesting program interpreter' \
       || readelf -dW /out/pingone-push-mock | grep -q '(NEEDED)'; then \
        echo 'error: /out/pingone-push-mock is dynamically linked' >&2; exit 1; \
    fi; \
    ls -l /out/pingone-push-mock

########################### runtime stage ###########################
FROM scratch

LABEL org.opencontainers.image.title="pingone-push-mock" \
      org.opencontainers.image.description="Mock HTTP server for the PingOne push credentials API"

COPY --from=build /out/pingone-push-mock /pingone-push-mock
# The CA's directory, owned by the user the server runs as (scratch has no mkdir).
COPY --from=build --chown=65532:65532 /out/tls /tls

# Unprivileged ("nonroot" in distroless terms); no passwd file is needed.
USER 65532:65532
ENV PINGONE_MOCK_LISTEN=0.0.0.0:8080 \
    PINGONE_MOCK_TLS_LISTEN=0.0.0.0:8443 \
    PINGONE_MOCK_TLS_DIR=/tls
EXPOSE 8080 8443
# Keeps the CA across containers, so a CA trusted once stays trusted.
VOLUME /tls

# `healthcheck` probes http://127.0.0.1:<port of PINGONE_MOCK_LISTEN>/readyz
# and exits 0/1, so no shell or curl is needed in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/pingone-push-mock", "healthcheck"]

ENTRYPOINT ["/pingone-push-mock"]
