#!/usr/bin/env bash
# Builds Tekton's real entrypoint from the Go module proxy, for the differential suite
# (tekton/diff_test.go) and the benchmarks (bench/). The binary is cached by version:
#   ~/.cache/startorder/tekton-<version>/entrypoint
# A throwaway module outside the repository holds the download, so runtime/go.mod stays
# stdlib-only. Prints the binary's path on stdout.
#   tekton/build.sh            # v1.0.0
#   TEKTON_VERSION=v1.3.0 tekton/build.sh
set -euo pipefail
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
version=${TEKTON_VERSION:-v1.0.0}
dir=${STARTORDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/startorder}/tekton-$version
bin=$dir/entrypoint
if [[ -x $bin ]]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$dir/mod"
cd "$dir/mod"
[[ -f go.mod ]] || "$GO" mod init startorder.local/tekton-entrypoint >&2
# -p 1: the machine is shared; one package at a time is slower but polite.
GOFLAGS=-mod=mod "$GO" get "github.com/tektoncd/pipeline/cmd/entrypoint@$version" >&2
CGO_ENABLED=0 GOFLAGS=-mod=mod "$GO" build -p 1 -trimpath -ldflags='-s -w' -o "$bin.tmp" github.com/tektoncd/pipeline/cmd/entrypoint >&2
mv "$bin.tmp" "$bin"
echo "$bin"
