#!/usr/bin/env bash
# Brings up the e2e cluster of test/e2e/cluster on Kubernetes 1.35 with containerd 2 (image volumes:
# the ImageVolume feature gate is beta and on by default in 1.35; containerd implements the volume):
# builds (cached) what ./build.sh builds, puts that containerd first on PATH, and runs
# test/e2e/cluster/up.sh with ./overrides.sh sourced through its E2E_OVERRIDES hook.
# Prints the admin kubeconfig on stdout like up.sh; tear down with test/e2e/cluster/down.sh STATE_DIR.
# Only one e2e cluster at a time on a machine (the network namespace startorder-e2e is the same as
# test/e2e's): serialize runs where several people share one.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mapfile -t bins < <(nice -n 10 "${DIR}/build.sh")
export E2E135_K8S_BIN="${bins[0]:?build.sh printed no Kubernetes bin directory}"
export E2E135_CONTAINERD_BIN="${bins[1]:?build.sh printed no containerd bin directory}"
export PATH="${E2E135_CONTAINERD_BIN}:${PATH}"
export E2E_OVERRIDES="${DIR}/overrides.sh"
exec "${DIR}/../e2e/cluster/up.sh" "$@"
