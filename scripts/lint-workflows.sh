#!/usr/bin/env bash
# Lints every GitHub workflow in .github/workflows/ with two well-kept linters from PyPI
# (pinned in scripts/lint-requirements.txt): check-jsonschema against its vendored schema of
# GitHub workflows (structure, keys, types), and zizmor (security: unpinned actions, template
# injection, credentials left in checkouts, excessive permissions). zizmor runs offline: it
# checks the workflow files themselves, not GitHub's API. The Compose files of examples/ and
# deploy/ are checked against check-jsonschema's vendored Compose specification too, and the
# Kubernetes manifests of deploy/kubernetes/ with kubernetes-validate (strict: no unknown field)
# against the Kubernetes API schemas it ships. Fails on any finding.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="target/lint-venv"
REQUIREMENTS="scripts/lint-requirements.txt"
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null; then
    echo "==> installing $(tr '\n' ' ' <"$REQUIREMENTS")into $VENV"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi

workflows=(.github/workflows/*.yml)
echo "==> check-jsonschema (GitHub workflow schema): ${workflows[*]}"
"$VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
echo "==> zizmor --offline: ${workflows[*]}"
"$VENV/bin/zizmor" --offline --min-severity low "${workflows[@]}"

compose=(examples/*/compose.yaml deploy/compose.yaml)
if [[ -e "${compose[0]}" ]]; then
    echo "==> check-jsonschema (Compose specification): ${compose[*]}"
    "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "${compose[@]}"
fi

manifests=(deploy/kubernetes/secret.yaml deploy/kubernetes/deployment.yaml deploy/kubernetes/service.yaml)
echo "==> kubernetes-validate --strict: ${manifests[*]}"
"$VENV/bin/kubernetes-validate" --strict --quiet "${manifests[@]}"
# The kustomization names exactly those files.
for manifest in "${manifests[@]}"; do
    grep -qx "  - $(basename "$manifest")" deploy/kubernetes/kustomization.yaml ||
        { echo "deploy/kubernetes/kustomization.yaml does not list $manifest" >&2; exit 1; }
done
