#!/usr/bin/env bash
# Builds the Kubernetes and etcd binaries used by the e2e cluster into
#   ${STARTORDER_CACHE:-~/.cache/startorder}/k8s-<version>/bin/
# and skips the build when that directory is already complete for the pinned
# versions (a stamp file records versions + go.sum hash). A new machine, or a
# version bump in ../go.mod, rebuilds.
#
# Environment:
#   STARTORDER_CACHE   cache root (default ~/.cache/startorder)
#   BUILD_PARALLEL     go build -p value (default 2; the machine has 2 cores)
#   FORCE_BUILD=1      rebuild even if the stamp matches
# Prints the bin directory on the last line of stdout.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/usr/local/go/bin:${PATH}"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd)

modver() { # version of a required module, from go.mod
  awk -v m="$1" '$1==m {print $2; exit} $2==m {print $3; exit}' "${E2E_DIR}/go.mod"
}

# Sets K8S_VERSION, ETCD_VERSION, OUT, BIN and STAMP_WANT (what a complete build records).
read_versions() {
  K8S_VERSION="$(modver k8s.io/kubernetes)"
  ETCD_VERSION="$(modver go.etcd.io/etcd/server/v3)"
  if [ -z "${K8S_VERSION}" ] || [ -z "${ETCD_VERSION}" ]; then echo "build.sh: cannot read versions from go.mod" >&2; exit 1; fi
  OUT="${STARTORDER_CACHE:-${HOME}/.cache/startorder}/k8s-${K8S_VERSION}"
  BIN="${OUT}/bin"
  STAMP_WANT="k8s=${K8S_VERSION} etcd=${ETCD_VERSION} go=$(go env GOVERSION) sum=$(sha256sum "${E2E_DIR}/go.sum" | cut -c1-16)"
}

complete() {
  local b
  [ "${FORCE_BUILD:-0}" != 1 ] && [ -f "${OUT}/stamp" ] && [ "$(cat "${OUT}/stamp")" = "${STAMP_WANT}" ] || return 1
  for b in "${BINARIES[@]}"; do [ -x "${BIN}/${b}" ] || return 1; done
}

# The -X flags that make `kubectl version` and the node report the pinned version.
version_ldflags() {
  local p minor date
  minor="$(echo "${K8S_VERSION}" | cut -d. -f2)"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf ' -X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s' "$p" "${K8S_VERSION}" "$p" "$p" "${minor}"
    printf ' -X %s.gitTreeState=clean -X %s.buildDate=%s' "$p" "$p" "${date}"
  done
}

build_binaries() {
  local tmpbin="${OUT}/bin.tmp" start secs
  rm -f "${OUT}/stamp"
  rm -rf "${tmpbin}"; mkdir -p "${tmpbin}"
  start=$(date +%s)
  echo "build.sh: building ${BINARIES[*]} (k8s ${K8S_VERSION}, etcd ${ETCD_VERSION}) into ${BIN}; started $(date -u +%FT%TZ)" >&2
  cd "${E2E_DIR}"
  go mod download
  CGO_ENABLED=0 go build -buildvcs=false -p "${BUILD_PARALLEL:-2}" -trimpath -ldflags="-s -w $(version_ldflags)" -o "${tmpbin}/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl \
    ./cmd/etcd
  rm -rf "${BIN}"; mv "${tmpbin}" "${BIN}"
  echo "${STAMP_WANT}" > "${OUT}/stamp"
  secs=$(( $(date +%s) - start ))
  echo "$(date -u +%FT%TZ) built ${STAMP_WANT} in ${secs}s" >> "${OUT}/build-times.log"
  echo "build.sh: build took ${secs}s" >&2
}

main() {
  command -v go >/dev/null || { echo "build.sh: go not found" >&2; exit 1; }
  read_versions
  if complete; then
    echo "build.sh: ${BIN} is complete (${STAMP_WANT}); skipping build" >&2
  else
    mkdir -p "${OUT}"
    # Serialize concurrent builds of the same version.
    exec 9>"${OUT}/.lock"
    flock 9
    complete || build_binaries
  fi
  echo "${BIN}"
}

main "$@"
