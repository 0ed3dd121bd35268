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
command -v go >/dev/null || { echo "build.sh: go not found" >&2; exit 1; }

modver() { # version of a required module, from go.mod
  awk -v m="$1" '$1==m {print $2; exit} $2==m {print $3; exit}' "${E2E_DIR}/go.mod"
}
K8S_VERSION="$(modver k8s.io/kubernetes)"
ETCD_VERSION="$(modver go.etcd.io/etcd/server/v3)"
[ -n "${K8S_VERSION}" ] && [ -n "${ETCD_VERSION}" ] || { echo "build.sh: cannot read versions from go.mod" >&2; exit 1; }

CACHE_ROOT="${STARTORDER_CACHE:-${HOME}/.cache/startorder}"
OUT="${CACHE_ROOT}/k8s-${K8S_VERSION}"
BIN="${OUT}/bin"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd)
STAMP_WANT="k8s=${K8S_VERSION} etcd=${ETCD_VERSION} go=$(go env GOVERSION) sum=$(sha256sum "${E2E_DIR}/go.sum" | cut -c1-16)"

complete() {
  [ -f "${OUT}/stamp" ] && [ "$(cat "${OUT}/stamp")" = "${STAMP_WANT}" ] || return 1
  for b in "${BINARIES[@]}"; do [ -x "${BIN}/${b}" ] || return 1; done
}

if [ "${FORCE_BUILD:-0}" != 1 ] && complete; then
  echo "build.sh: ${BIN} is complete (${STAMP_WANT}); skipping build" >&2
  echo "${BIN}"
  exit 0
fi

mkdir -p "${OUT}"
# Serialize concurrent builds of the same version.
exec 9>"${OUT}/.lock"
flock 9
if [ "${FORCE_BUILD:-0}" != 1 ] && complete; then echo "${BIN}"; exit 0; fi

rm -f "${OUT}/stamp"
TMPBIN="${OUT}/bin.tmp"
rm -rf "${TMPBIN}"; mkdir -p "${TMPBIN}"

MINOR="$(echo "${K8S_VERSION}" | cut -d. -f2)"
BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LDX=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDX+=" -X ${p}.gitVersion=${K8S_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${MINOR}"
  LDX+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${BUILD_DATE}"
done

start=$(date +%s)
echo "build.sh: building ${BINARIES[*]} (k8s ${K8S_VERSION}, etcd ${ETCD_VERSION}) into ${BIN}; started $(date -u +%FT%TZ)" >&2
cd "${E2E_DIR}"
go mod download
CGO_ENABLED=0 go build -buildvcs=false -p "${BUILD_PARALLEL:-2}" -trimpath -ldflags="-s -w ${LDX}" -o "${TMPBIN}/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubelet \
  k8s.io/kubernetes/cmd/kubectl \
  ./cmd/etcd
rm -rf "${BIN}"; mv "${TMPBIN}" "${BIN}"
echo "${STAMP_WANT}" > "${OUT}/stamp"
secs=$(( $(date +%s) - start ))
echo "$(date -u +%FT%TZ) built ${STAMP_WANT} in ${secs}s" >> "${OUT}/build-times.log"
echo "build.sh: build took ${secs}s" >&2
echo "${BIN}"
