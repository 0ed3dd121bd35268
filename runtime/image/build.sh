#!/usr/bin/env bash
# Usage: image/build.sh OUT.tar [arch] [name]
# Builds the runtime image as an OCI image-layout tarball, without Docker: scratch base,
# the binary at /startorder-entrypoint, User 65532:65532, Entrypoint
# ["/startorder-entrypoint"], fixed timestamps (the same sources give the same bytes).
# arch: amd64 (default) or arm64. name: default docker.io/startorder/entrypoint:dev.
# Import: ctr -n k8s.io images import OUT.tar   (or: skopeo copy oci-archive:OUT.tar ...)
set -euo pipefail
if [[ $# -lt 1 || $# -gt 3 ]]; then
	echo "usage: $0 OUT.tar [amd64|arm64] [image-name]" >&2
	exit 2
fi
out=$1 arch=${2:-amd64} name=${3:-docker.io/startorder/entrypoint:dev}
case $arch in amd64|arm64) ;; *) echo "$0: arch must be amd64 or arm64" >&2; exit 2 ;; esac
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 GOOS=linux GOARCH=$arch "$GO" build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -o "$work/startorder-entrypoint" ./cmd/startorder-entrypoint
CGO_ENABLED=0 "$GO" build -trimpath -o "$work/mkimage" ./cmd/mkimage
"$work/mkimage" -binary "$work/startorder-entrypoint" -arch "$arch" -name "$name" -out "$out"
echo "$out: $name linux/$arch sha256:$(sha256sum "$out" | cut -d' ' -f1)"
