# Shared settings and helpers for up.sh / down.sh / smoke.sh (and .ci/run, for the package list).
# Source, don't execute.
# shellcheck shell=bash disable=SC2034 # the settings are used by the scripts that source this file

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_DIR="${E2E_DIR}/cluster"
REPO_DIR="$(cd "${E2E_DIR}/../.." && pwd)"
PACKAGES_FILE="${REPO_DIR}/.ci/packages"
export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin:${PATH}"

STARTORDER_CACHE="${STARTORDER_CACHE:-${HOME}/.cache/startorder}"
# File that records the state directory of the most recent `up.sh`.
STARTORDER_CURRENT="${STARTORDER_CURRENT:-${STARTORDER_CACHE}/current-state-dir}"

NODE_NAME="${NODE_NAME:-startorder-e2e}"
# The whole cluster runs inside this network namespace, created by up.sh and
# deleted by down.sh: its 127.0.0.1, the pod bridge and 10.213.0.x exist only
# there. Components are started with `nsenter --net=` (network namespace only;
# `ip netns exec` would also unshare the mount namespace and remount /sys, which
# would hide the kubelet's and containerd's mounts from the host).
NETNS="${NETNS:-startorder-e2e}"
NETNS_PATH="/run/netns/${NETNS}"
# Ports (all bound to 127.0.0.1 inside NETNS).
ETCD_PORT="${ETCD_PORT:-12379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${APISERVER_PORT:-16443}"
KCM_PORT="${KCM_PORT:-10357}"
SCHEDULER_PORT="${SCHEDULER_PORT:-10359}"
KUBELET_PORT="${KUBELET_PORT:-10350}"
KUBELET_HEALTHZ_PORT="${KUBELET_HEALTHZ_PORT:-10348}"
KUBE_PROXY_HEALTHZ_PORT="${KUBE_PROXY_HEALTHZ_PORT:-10256}"
KUBE_PROXY_METRICS_PORT="${KUBE_PROXY_METRICS_PORT:-10249}"
# The image registry (Debian's docker-registry, plain HTTP): the kubelet pulls the runtime image from it.
REGISTRY_PORT="${REGISTRY_PORT:-5000}"
REGISTRY_ADDR="127.0.0.1:${REGISTRY_PORT}"
SERVICE_CIDR="10.0.0.0/24"
# The `kubernetes` Service: kube-proxy routes it to the apiserver on the node IP (see up.sh start_apiserver).
SERVICE_IP="10.0.0.1"
# Private pod bridge (only inside this machine; pod-to-pod and host-to-pod).
POD_CIDR="${POD_CIDR:-10.213.0.0/24}"
POD_GATEWAY="${POD_GATEWAY:-10.213.0.1}"
BRIDGE_NAME="${BRIDGE_NAME:-startorder0}"
# Node IP: the bridge gateway (the kubelet rejects loopback node IPs).
NODE_IP="${POD_GATEWAY}"

PAUSE_IMAGE="localhost/startorder/pause:e2e"
WORKLOAD_IMAGE="localhost/startorder/workload:e2e"
# The test webhook that injects an istio-proxy sidecar (test/e2e/cmd/injector).
INJECTOR_IMAGE="localhost/startorder/injector:e2e"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# start time of a live process (field 22 of /proc/PID/stat), to detect PID
# reuse; fails if the process does not exist or is a zombie.
proc_starttime() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"          # drop "pid (comm) "
  # shellcheck disable=SC2086
  set -- ${stat}
  # A zombie counts as gone: orphans are reparented to PID 1, which on some
  # machines (this one) reaps them only after a while.
  case "$1" in Z|X|x) return 1 ;; esac
  echo "${20}"                  # field 22 overall = 20th after comm
}

# alive NAME: the process recorded last under NAME in $S/pids is still the one up.sh started
# (same PID and the same start time, so a recycled PID does not count).
alive() {
  local line pid st
  line="$(awk -v n="$1" '$1==n' "$S/pids" | tail -n1)"
  read -r _ pid st <<<"${line}"
  [ -n "${pid:-}" ] && [ "$(proc_starttime "${pid}" 2>/dev/null)" = "${st:-}" ]
}

# missing_packages SUITE...: the Debian packages of those SUITEs' lines in .ci/packages of which a
# command is missing, one a line.
missing_packages() {
  local pkg suite cmds cmd
  while read -r pkg suite cmds; do
    case "${pkg}" in ''|'#'*) continue ;; esac
    [[ " $* " == *" ${suite} "* ]] || continue
    for cmd in ${cmds}; do
      if [ "${cmd#/}" != "${cmd}" ]; then [ -x "${cmd}" ] || { echo "${pkg}"; break; }
      else command -v "${cmd}" >/dev/null 2>&1 || { echo "${pkg}"; break; }
      fi
    done
  done < "${PACKAGES_FILE}"
}

# install_packages PACKAGE...: apt-get install (quietly, to stderr) what is given; nothing when empty.
install_packages() {
  [ "$#" -gt 0 ] || return 0
  log "installing: $*"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
