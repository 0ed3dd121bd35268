#!/usr/bin/env bash
# Builds the release binaries: dist/startorder-entrypoint-linux-{amd64,arm64}.
# Static (CGO_ENABLED=0), reproducible (-trimpath), stripped (-ldflags='-s -w').
set -euo pipefail
cd "$(dirname "$0")"
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
mkdir -p dist
for arch in ${ARCHES:-amd64 arm64}; do
	out=dist/startorder-entrypoint-linux-$arch
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch "$GO" build -trimpath -ldflags='-s -w' -o "$out" ./cmd/startorder-entrypoint
	echo "$out $(stat -c %s "$out") bytes"
done
