#!/bin/sh
# Renders examples/helm/chart with startorder as the post-renderer, with whichever helm is on PATH.
#   Helm 3: the post-renderer is an executable (bin/startorder.js).
#   Helm 4: post-renderers are plugins: installs ./helm-plugin once, then --post-renderer startorder.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case "$(helm version --template '{{.Version}}')" in
  v3.*) exec helm template web "$here/chart" --post-renderer "$root/bin/startorder.js" "$@" ;;
  *)
    helm plugin list | grep -q '^startorder' || helm plugin install "$root/helm-plugin" >&2
    exec helm template web "$here/chart" --post-renderer startorder "$@" ;;
esac
