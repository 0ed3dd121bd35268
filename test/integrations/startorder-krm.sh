#!/bin/sh
# The KRM exec function for the integration tests and fixtures: runs this checkout's CLI with the
# machine's Node; kustomize and kpt run it with the ResourceList on stdin. With STARTORDER_KRM_TRACE
# set to a directory, the ResourceList that came in and the one that went out are kept there
# (in.yaml, out.yaml) so a test can compare them.
here=$(dirname "$(readlink -f "$0")")
bin="$here/../../bin/startorder.js"
if [ -n "${STARTORDER_KRM_TRACE:-}" ]; then
  cat > "$STARTORDER_KRM_TRACE/in.yaml"
  node "$bin" "$@" < "$STARTORDER_KRM_TRACE/in.yaml" > "$STARTORDER_KRM_TRACE/out.yaml"
  rc=$?
  cat "$STARTORDER_KRM_TRACE/out.yaml"
  exit $rc
fi
exec node "$bin" "$@"
