#!/bin/sh
# Runs startorder as a Helm 4 post-renderer plugin: the rendered stream on stdin, the full stream on
# stdout, the post-renderer args (--post-renderer-args) passed on. The CLI used, in this order:
#   $STARTORDER (a command line), `startorder` on PATH, or the CLI of the checkout this plugin lives
#   in (`helm plugin install ./helm-plugin` links to the checkout; dist/ is built when missing).
#
# Helm 4 keeps a plugin's stderr to itself (it says only `plugin "startorder" exited with error`), so
# startorder's diagnostics are also copied to helm's own stderr when that can be reached.
dir=$(dirname "$(readlink -f "$0")")
root=$(cd "$dir/.." && pwd)
if [ -n "${STARTORDER:-}" ]; then
  # shellcheck disable=SC2086 # $STARTORDER is a command line (e.g. "npx startorder"): split on purpose
  set -- $STARTORDER "$@"
elif command -v startorder >/dev/null 2>&1; then
  set -- startorder "$@"
elif [ -f "$root/bin/startorder.js" ]; then
  if [ ! -f "$root/dist/bundle/cli.js" ]; then
    echo "startorder: building $root/dist (first use) ..." >&2
    (cd "$root" && { [ -d node_modules ] || npm ci --silent; } && npm run --silent build) >&2 || exit 1
  fi
  set -- node "$root/bin/startorder.js" "$@"
else
  echo "startorder: not found: install it (npm install -g startorder) or set STARTORDER" >&2
  exit 127
fi
err=$(mktemp "${TMPDIR:-/tmp}/startorder-helm.XXXXXX")
trap 'rm -f "$err"' EXIT
"$@" 2>"$err"
rc=$?
if [ -s "$err" ]; then
  cat "$err" >&2
  if [ -w "/proc/$PPID/fd/2" ]; then cat "$err" >> "/proc/$PPID/fd/2"; fi
fi
exit $rc
