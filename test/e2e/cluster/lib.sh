# Shared settings for up.sh / down.sh / smoke.sh. Source, don't execute.
# shellcheck shell=bash disable=SC2034

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_DIR="${E2E_DIR}/cluster"
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
SERVICE_CIDR="10.0.0.0/24"
SERVICE_IP="10.0.0.1"
# Private pod bridge (only inside this machine; pod-to-pod and host-to-pod).
POD_CIDR="${POD_CIDR:-10.213.0.0/24}"
POD_GATEWAY="${POD_GATEWAY:-10.213.0.1}"
BRIDGE_NAME="${BRIDGE_NAME:-startorder0}"
# Node IP: the bridge gateway (the kubelet rejects loopback node IPs).
NODE_IP="${POD_GATEWAY}"

PAUSE_IMAGE="localhost/startorder/pause:e2e"
WORKLOAD_IMAGE="localhost/startorder/workload:e2e"

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
