#!/usr/bin/env bash
# Builds what the v1.35 e2e cluster runs, all from the Go module proxy, cached:
#   ${STARTORDER_CACHE:-~/.cache/startorder}/k8s-<version>/bin/   kube-apiserver … kubelet, kube-proxy, kubectl, etcd
#                                                                  (the versions pinned in ./go.mod)
#   ${STARTORDER_CACHE:-~/.cache/startorder}/containerd-<version>/bin/   containerd, containerd-shim-runc-v2, ctr
#                                                                  (CONTAINERD_VERSION below: the first line
#                                                                  that mounts image volumes with subPath)
# A stamp file per directory records what was built; a complete directory is not built again.
#
# Environment: STARTORDER_CACHE, BUILD_PARALLEL (go build -p, default 2), FORCE_BUILD=1.
# Prints two lines on stdout: the Kubernetes bin directory, then the containerd bin directory.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="/usr/local/go/bin:${PATH}"
CACHE="${STARTORDER_CACHE:-${HOME}/.cache/startorder}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.2.9}"
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd)
CTRD_BINARIES=(containerd containerd-shim-runc-v2 ctr)

modver() { awk -v m="$1" '$1==m {print $2; exit} $2==m {print $3; exit}' "${DIR}/go.mod"; }

# complete OUT STAMP BINARY...: OUT/bin has every BINARY and OUT/stamp says STAMP.
complete() {
  local out=$1 stamp=$2 b
  shift 2
  [ "${FORCE_BUILD:-0}" != 1 ] && [ -f "${out}/stamp" ] && [ "$(cat "${out}/stamp")" = "${stamp}" ] || return 1
  for b in "$@"; do [ -x "${out}/bin/${b}" ] || return 1; done
}

# The -X flags that make the node and `kubectl version` report the pinned version.
version_ldflags() {
  local v=$1 p minor date
  minor="$(echo "${v}" | cut -d. -f2)"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf ' -X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s' "$p" "${v}" "$p" "$p" "${minor}"
    printf ' -X %s.gitTreeState=clean -X %s.buildDate=%s' "$p" "$p" "${date}"
  done
}

# finish OUT STAMP START: moves bin.tmp into place and records the stamp and the time taken.
finish() {
  local out=$1 stamp=$2 secs=$(( $(date +%s) - $3 ))
  rm -rf "${out:?}/bin"; mv "${out}/bin.tmp" "${out}/bin"
  echo "${stamp}" > "${out}/stamp"
  echo "$(date -u +%FT%TZ) built ${stamp} in ${secs}s" >> "${out}/build-times.log"
  echo "build.sh: ${out} took ${secs}s" >&2
}

build_k8s() {
  local out=$1 stamp=$2 v=$3 start
  start=$(date +%s)
  rm -f "${out}/stamp"; rm -rf "${out}/bin.tmp"; mkdir -p "${out}/bin.tmp"
  echo "build.sh: building ${K8S_BINARIES[*]} (${stamp}) into ${out}/bin; started $(date -u +%FT%TZ)" >&2
  (cd "${DIR}" && go mod download &&
    CGO_ENABLED=0 go build -buildvcs=false -p "${BUILD_PARALLEL:-2}" -trimpath -ldflags="-s -w $(version_ldflags "${v}")" \
      -o "${out}/bin.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
      k8s.io/kubernetes/cmd/kubectl ./cmd/etcd)
  finish "${out}" "${stamp}" "${start}"
}

# containerd's module has no replace directives, so `go install pkg@version` builds it as released.
# Static, without the snapshotters that need cgo or kernel headers (the cluster uses overlayfs).
build_containerd() {
  local out=$1 stamp=$2 start c
  start=$(date +%s)
  rm -f "${out}/stamp"; rm -rf "${out}/bin.tmp"; mkdir -p "${out}/bin.tmp"
  echo "build.sh: building ${CTRD_BINARIES[*]} (${stamp}) into ${out}/bin; started $(date -u +%FT%TZ)" >&2
  for c in "${CTRD_BINARIES[@]}"; do
    GOBIN="${out}/bin.tmp" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -p "${BUILD_PARALLEL:-2}" -trimpath \
      -tags "no_btrfs no_devmapper no_zfs no_aufs" \
      -ldflags="-s -w -X github.com/containerd/containerd/v2/version.Version=${CONTAINERD_VERSION}" \
      "github.com/containerd/containerd/v2/cmd/${c}@${CONTAINERD_VERSION}"
  done
  finish "${out}" "${stamp}" "${start}"
}

# ensure NAME OUT STAMP BUILDER ARGS... -- BINARY...: builds under a lock unless complete.
ensure() {
  local out=$1 stamp=$2 builder=$3 arg=$4
  shift 4
  if complete "${out}" "${stamp}" "$@"; then echo "build.sh: ${out}/bin is complete; skipping" >&2; return; fi
  mkdir -p "${out}"
  exec 9>"${out}/.lock"
  flock 9
  complete "${out}" "${stamp}" "$@" || "${builder}" "${out}" "${stamp}" "${arg}"
  exec 9>&-
}

main() {
  command -v go >/dev/null || { echo "build.sh: go not found" >&2; exit 1; }
  local k8s etcd gov k8s_out ctrd_out
  k8s="$(modver k8s.io/kubernetes)"; etcd="$(modver go.etcd.io/etcd/server/v3)"; gov="$(go env GOVERSION)"
  if [ -z "${k8s}" ] || [ -z "${etcd}" ]; then echo "build.sh: cannot read versions from ${DIR}/go.mod" >&2; exit 1; fi
  k8s_out="${CACHE}/k8s-${k8s}"
  ctrd_out="${CACHE}/containerd-${CONTAINERD_VERSION}"
  ensure "${k8s_out}" "k8s=${k8s} etcd=${etcd} go=${gov} sum=$(sha256sum "${DIR}/go.sum" | cut -c1-16)" \
    build_k8s "${k8s}" "${K8S_BINARIES[@]}"
  ensure "${ctrd_out}" "containerd=${CONTAINERD_VERSION} go=${gov} tags=no_btrfs,no_devmapper,no_zfs,no_aufs" \
    build_containerd "" "${CTRD_BINARIES[@]}"
  echo "${k8s_out}/bin"
  echo "${ctrd_out}/bin"
}

main "$@"
