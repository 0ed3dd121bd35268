#!/usr/bin/env bash
# Build the real third-party CLIs that test/integrations/*.test.ts run against, from the
# Go module proxy, into a cache keyed by tool and version:
#   ${STARTORDER_TOOLS_CACHE:-~/.cache/startorder}/tools-<tool>-<version>/bin/<tool>
#
# Usage: scripts/tools/build-tools.sh [kustomize|helm3|helm4|pre-commit|registry|htpasswd|all|path TOOL]...
#   `path TOOL` prints the binary path for TOOL (building it first if it is missing).
# Everything is idempotent: a tool whose binary already exists is not rebuilt.
#
# Checksum database: sum.golang.org is not always reachable from the machines this runs on.
# We first try a normal, fully verified `go install`; only if that fails do we retry with
# GOSUMDB=off (and GONOSUMCHECK=1, GONOSUMDB=*, GOFLAGS=-mod=mod), i.e. module downloads
# are then NOT verified against the public checksum database — only against the go.sum
# files of the tools themselves. Set STARTORDER_TOOLS_STRICT_SUM=1 to forbid that fallback.
set -euo pipefail
# The machine's Go is used as is (GOTOOLCHAIN=local: no toolchain download); versions are pinned to
# releases whose go.mod accepts Go 1.26 (kustomize v5.8.3 already requires Go 1.27).
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
HELM3_VERSION="${HELM3_VERSION:-v3.22.0}"
HELM4_VERSION="${HELM4_VERSION:-v4.3.1}"
PRE_COMMIT_VERSION="${PRE_COMMIT_VERSION:-4.3.0}"
# The CNCF distribution registry (Debian's docker-registry is the same program) for test/registry/.
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.1.2}"
CACHE="${STARTORDER_TOOLS_CACHE:-$HOME/.cache/startorder}"

log() { echo "build-tools: $*" >&2; }

go_build() { # name module version -> prints binary path
  local name="$1" module="$2" version="$3"
  local dir="$CACHE/tools-$name-$version"
  local bin
  bin="$dir/bin/$(basename "${module%%/v[0-9]*}")"
  case "$name" in helm3|helm4) bin="$dir/bin/helm" ;; kustomize|registry) bin="$dir/bin/$name" ;; esac
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  command -v go >/dev/null || { log "go is not installed; cannot build $name"; return 1; }
  mkdir -p "$dir/bin"
  local start=$SECONDS
  log "building $name $version ($module@$version) ..."
  # Lock so two test files building the same tool at once don't race.
  exec 9>"$dir/.lock"; flock 9
  if [ ! -x "$bin" ]; then
    if ! GOBIN="$dir/bin" CGO_ENABLED=0 go install -trimpath -ldflags="-s -w" "$module@$version" >&2; then
      if [ "${STARTORDER_TOOLS_STRICT_SUM:-}" = 1 ]; then log "go install failed"; return 1; fi
      log "verified go install failed (sum.golang.org unreachable?); retrying with GOSUMDB=off"
      GOBIN="$dir/bin" CGO_ENABLED=0 GOSUMDB=off GONOSUMCHECK=1 GONOSUMDB='*' GOFLAGS=-mod=mod \
        go install -trimpath -ldflags="-s -w" "$module@$version" >&2
    fi
    echo "$((SECONDS - start))" > "$dir/build-seconds"
    log "built $name $version in $((SECONDS - start))s -> $bin"
  fi
  flock -u 9
  echo "$bin"
}

pre_commit() { # pip-installs pre-commit into a venv; prints the executable path
  local dir="$CACHE/tools-pre-commit-$PRE_COMMIT_VERSION"
  local bin="$dir/venv/bin/pre-commit"
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  mkdir -p "$dir"
  local start=$SECONDS
  log "installing pre-commit $PRE_COMMIT_VERSION into $dir/venv ..."
  python3 -m venv "$dir/venv" >&2
  "$dir/venv/bin/pip" install --quiet "pre-commit==$PRE_COMMIT_VERSION" >&2
  echo "$((SECONDS - start))" > "$dir/build-seconds"
  echo "$bin"
}

htpasswd() { # builds test/registry/htpasswd (bcrypt from golang.org/x/crypto, pinned by its go.sum)
  local src dir bin
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../test/registry/htpasswd" && pwd)"
  dir="$CACHE/tools-htpasswd-$(cat "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
  bin="$dir/bin/htpasswd"
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  command -v go >/dev/null || { log "go is not installed; cannot build htpasswd"; return 1; }
  mkdir -p "$dir/bin"
  log "building htpasswd from $src ..."
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$bin.$$" . >&2)
  mv "$bin.$$" "$bin" # a name of its own: two test files may build it at once
  echo "$bin"
}

build() {
  case "$1" in
    kustomize) go_build kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" ;;
    helm3) go_build helm3 helm.sh/helm/v3/cmd/helm "$HELM3_VERSION" ;;
    helm4) go_build helm4 helm.sh/helm/v4/cmd/helm "$HELM4_VERSION" ;;
    pre-commit) pre_commit ;;
    registry) go_build registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION" ;;
    htpasswd) htpasswd ;;
    *) log "unknown tool: $1"; return 2 ;;
  esac
}

[ $# -gt 0 ] || set -- all
while [ $# -gt 0 ]; do
  case "$1" in
    path) build "$2"; shift 2 ;;
    all) for t in kustomize helm3 helm4 pre-commit registry htpasswd; do build "$t"; done; shift ;;
    *) build "$1"; shift ;;
  esac
done
