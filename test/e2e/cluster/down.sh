#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR # finds lib.sh (and up-config.sh) next to this script
# Long (about 290 lines) on purpose: one small function per cleanup step, and main at the end lists
# them in order.
# Tears down a cluster started by up.sh:
#   down.sh [STATE_DIR]     (default: $STATE_DIR, else the dir recorded by up.sh)
# 1. deletes all pods through the API (so the kubelet/CRI remove sandboxes,
#    network namespaces and CNI allocations the normal way), best effort;
# 2. kills and deletes remaining containerd tasks/containers of our containerd;
# 3. stops exactly the PIDs recorded in STATE_DIR/pids (TERM, wait, KILL),
#    checking each PID's start time so a recycled PID is never hit;
# 4. stops containerd shims that serve *our* containerd socket (identified by
#    the unique socket path in their arguments, never by name) and any process
#    left in our cgroup subtree;
# 5. unmounts everything mounted below STATE_DIR (reverse /proc/mounts order),
#    removes our cgroups, the pod bridge and our network namespace, our
#    /var/log/containers symlinks, restores the sysctls the kubelet changed,
#    and removes STATE_DIR.
# Env: FAST=1 skips step 1.
# Every step is best effort (no set -e): a failed step must not leave the rest running.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------- state
# find_state_dir [DIR]: sets S, or exits 0 when there is nothing to tear down.
find_state_dir() {
  S="${1:-${STATE_DIR:-}}"
  if [ -z "$S" ] && [ -f "${STARTORDER_CURRENT}" ]; then S="$(cat "${STARTORDER_CURRENT}")"; fi
  [ -n "$S" ] || { log "down.sh: no state dir given or recorded; nothing to do"; exit 0; }
  [ -d "$S" ] || { log "down.sh: ${S} does not exist; nothing to do"; rm -f "${STARTORDER_CURRENT}"; exit 0; }
  S="$(cd "$S" && pwd -P)"
  case "$S" in /|/tmp|/root|/home|/var|/usr|/etc) die "refusing to tear down ${S}" ;; esac
  [ -f "$S/pids" ] || die "${S} has no pids file; not a startorder e2e state dir"
}

# What up.sh recorded: BIN, CTRD_SOCK, CGROUP_ROOT, NS_NAME (and NS_INO, its inode).
read_state() {
  BIN="$(cat "$S/bin-dir" 2>/dev/null || true)"
  CTRD_SOCK="$(cat "$S/containerd-address" 2>/dev/null || true)"
  CGROUP_ROOT="$(cat "$S/cgroup-root" 2>/dev/null || true)"
  NS_NAME="$(cat "$S/netns" 2>/dev/null || true)"
  NS_INO=""
  if [ -n "${NS_NAME}" ] && [ -e "/run/netns/${NS_NAME}" ]; then
    NS_INO="$(stat -L -c %i "/run/netns/${NS_NAME}" 2>/dev/null || true)"
  fi
}

ctr_k8s() { ctr --address "${CTRD_SOCK}" -n k8s.io "$@"; }
containerd_up() { [ -n "${CTRD_SOCK}" ] && [ -S "${CTRD_SOCK}" ]; }

# ---------------------------------------------------------------- 1. pods
delete_pods() {
  [ "${FAST:-0}" != 1 ] && [ -x "$S/kubectl" ] && [ -x "${BIN}/kubectl" ] || return 0
  alive kube-apiserver && alive kubelet || return 0
  # $S/kubectl runs kubectl inside the cluster's network namespace
  local kc=("$S/kubectl" --kubeconfig "$S/admin.kubeconfig" --request-timeout=10s)
  "${kc[@]}" get --raw /readyz >/dev/null 2>&1 || return 0
  log "deleting all pods"
  "${kc[@]}" delete pods --all --all-namespaces --grace-period=2 --wait=false >/dev/null 2>&1 || true
  local deadline=$(( $(date +%s) + 45 )) n_api="?" n_tasks="?"
  while [ "$(date +%s)" -lt "${deadline}" ]; do
    n_api="$("${kc[@]}" get pods -A --no-headers 2>/dev/null | wc -l)"
    n_tasks=0
    # running tasks; stopped containers are left for step 2 (the kubelet
    # would only garbage-collect them a minute later)
    if containerd_up; then n_tasks="$(ctr_k8s tasks ls 2>/dev/null | awk 'NR>1 && $3!="STOPPED"' | wc -l)"; fi
    [ "${n_api}" = 0 ] && [ "${n_tasks}" = 0 ] && break
    sleep 1
  done
  log "pods left: api=${n_api} running tasks=${n_tasks}"
}

# ---------------------------------------------------------------- 2./3. stop components
gone() { [ "$(proc_starttime "$1" 2>/dev/null)" != "$2" ]; } # PID STARTTIME
stop_pid() { # NAME PID STARTTIME
  local name=$1 pid=$2 st=$3
  [ -n "${pid}" ] || return 0
  gone "${pid}" "${st}" && return 0
  kill -TERM "${pid}" 2>/dev/null || return 0
  for _ in $(seq 1 100); do            # up to 10s
    gone "${pid}" "${st}" && { log "stopped ${name} (${pid})"; return 0; }
    sleep 0.1
  done
  log "${name} (${pid}) ignored SIGTERM; sending SIGKILL"
  kill -KILL "${pid}" 2>/dev/null
  for _ in $(seq 1 50); do
    gone "${pid}" "${st}" && return 0
    sleep 0.1
  done
  log "WARNING: ${name} (${pid}) still alive"
}
# stop_named NAME...: stops the named components in parallel.
stop_named() {
  local name
  for name in "$@"; do
    awk -v n="${name}" '$1==n' "$S/pids" | while read -r _ pid st; do stop_pid "${name}" "${pid}" "${st}"; done &
  done
  wait
}
stop_recorded() { # anything else recorded (future components)
  local name pid st
  while read -r name pid st; do stop_pid "${name}" "${pid}" "${st}"; done < "$S/pids"
}

# Kills and deletes what our containerd still runs. First notes the network
# namespaces of sandboxes still known to it (normally none: the kubelet stops
# sandboxes when their pods are deleted); CRI keeps them under /var/run/netns
# (hard-coded), so they are removed in step 5.
clean_containerd() {
  containerd_up && alive containerd || return 0
  local c t
  for c in $(ctr_k8s containers ls -q 2>/dev/null); do
    ctr_k8s containers info "$c" 2>/dev/null | grep -oE '/(var/)?run/netns/cni-[0-9a-f-]+' || true
  done | sort -u > "$S/netns-left"
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  sleep 0.5
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
  for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
}

# ---------------------------------------------------------------- 4. shims and cgroup leftovers
stop_shims() { # the shims whose arguments name our containerd's socket
  [ -n "${CTRD_SOCK}" ] || return 0
  local p pid args st
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    args="$(tr '\0' '\n' 2>/dev/null < "$p/cmdline")" || continue
    grep -qxF -- "${CTRD_SOCK}" <<<"${args}" || continue
    st="$(proc_starttime "${pid}")" || continue
    echo "shim ${pid} ${st}" >> "$S/pids"
    stop_pid shim "${pid}" "${st}"
  done
}

# Network namespace inodes of processes in our cgroups (pod sandboxes), to find
# their /var/run/netns bind mounts if containerd could not remove them.
note_sandbox_netns() {
  : > "$S/netns-inodes"
  [ -n "${CGROUP_ROOT}" ] && [ -d "/sys/fs/cgroup/pids${CGROUP_ROOT}" ] || return 0
  find "/sys/fs/cgroup/pids${CGROUP_ROOT}" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
    stat -L -c %i "/proc/${pid}/ns/net" 2>/dev/null || true
  done | sort -u > "$S/netns-inodes"
}

# kill_cgroup_leftovers: SIGKILL to every process still in our cgroups (up to three rounds).
kill_cgroup_leftovers() {
  [ -n "${CGROUP_ROOT}" ] || return 0
  local round left d f pid
  for round in 1 2 3; do
    left=0
    for d in /sys/fs/cgroup/*/; do
      [ -d "${d%/}${CGROUP_ROOT}" ] || continue
      while read -r f; do
        while read -r pid; do
          [ -n "${pid}" ] || continue
          left=1
          kill -KILL "${pid}" 2>/dev/null || true
        done < "$f"
      done < <(find "${d%/}${CGROUP_ROOT}" -name cgroup.procs 2>/dev/null)
    done
    [ "${left}" = 0 ] && break
    log "killed processes left in cgroup ${CGROUP_ROOT} (round ${round})"
    sleep 0.5
  done
}

# ---------------------------------------------------------------- 5. mounts, cgroups, network, files
unmount_state() {
  local mps m
  for _ in 1 2 3; do
    mapfile -t mps < <(awk -v s="$S" '{ m=$2; gsub(/\\040/, " ", m); if (m == s || index(m, s "/") == 1) print m }' /proc/mounts | tac)
    [ "${#mps[@]}" = 0 ] && break
    for m in "${mps[@]}"; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m"
    done
  done
}

# Sandbox network namespaces left in /var/run/netns: those containerd named
# (step 2) and those whose inode a process of our cgroups had (step 4).
remove_sandbox_netns() {
  local host_netns ns ino
  host_netns="$(stat -L -c %i /proc/self/ns/net)"
  for ns in /var/run/netns/cni-*; do
    [ -e "${ns}" ] || continue
    ino="$(stat -L -c %i "${ns}" 2>/dev/null)" || continue
    [ "${ino}" != "${host_netns}" ] && [ "${ino}" != "${NS_INO}" ] && grep -qx "${ino}" "$S/netns-inodes" 2>/dev/null && echo "${ns}" >> "$S/netns-left"
  done
  [ -s "$S/netns-left" ] || return 0
  while read -r ns; do
    [ -e "${ns}" ] || continue
    umount "${ns}" 2>/dev/null || umount -l "${ns}" 2>/dev/null || true
    rm -f "${ns}" && log "removed leftover network namespace ${ns}"
  done < "$S/netns-left"
}

remove_cgroups() {
  [ -n "${CGROUP_ROOT}" ] || return 0
  local d dir
  for d in /sys/fs/cgroup/*/; do
    dir="${d%/}${CGROUP_ROOT}"
    [ -d "${dir}" ] || continue
    find "${dir}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ ! -d "${dir}" ] || log "WARNING: could not remove cgroup ${dir}"
  done
}

# The bridge lives in our network namespace; deleting the namespace removes it
# and any veth ends still attached. Processes still in it (there should be
# none: everything we started is stopped above) are reported, not killed.
delete_netns() {
  [ -n "${NS_NAME}" ] && [ -e "/run/netns/${NS_NAME}" ] || return 0
  local p br
  if [ -n "${NS_INO}" ]; then
    for p in /proc/[0-9]*; do
      [ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" = "${NS_INO}" ] || continue
      proc_starttime "${p#/proc/}" >/dev/null 2>&1 || continue   # zombies are gone
      log "WARNING: pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) is still in network namespace ${NS_NAME}"
    done
  fi
  br="$(cat "$S/bridge" 2>/dev/null || true)"
  if [ -n "${br}" ] && ip -n "${NS_NAME}" link show "${br}" >/dev/null 2>&1; then
    ip -n "${NS_NAME}" link delete "${br}" && log "deleted bridge ${br} in ${NS_NAME}"
  fi
  if ip netns delete "${NS_NAME}"; then log "deleted network namespace ${NS_NAME}"
  else log "WARNING: could not delete network namespace ${NS_NAME}"
  fi
}

remove_container_log_links() {
  local l
  [ -d /var/log/containers ] || return 0
  for l in /var/log/containers/*.log; do
    [ -L "$l" ] || continue
    case "$(readlink "$l")" in "$S"/*) rm -f "$l" ;; esac
  done
}

restore_sysctls() {
  [ -s "$S/sysctl-orig" ] || return 0
  local k v
  while IFS='=' read -r k v; do
    if [ -n "$k" ] && [ -n "$v" ]; then sysctl -q -w "$k=$v" >/dev/null 2>&1 || true; fi
  done < "$S/sysctl-orig"
  log "restored sysctls: $(tr '\n' ' ' < "$S/sysctl-orig")"
}

# libcni's result cache (/var/lib/cni/results, hard-coded in containerd 1.6)
# keeps entries of sandboxes that never got a CNI DEL; our sandbox IDs are the
# owners recorded by host-local IPAM under STATE_DIR.
remove_cni_results() {
  [ -d /var/lib/cni/results ] && [ -d "$S/cni/ipam" ] || return 0
  find "$S/cni/ipam" -type f ! -name 'last_reserved_ip*' ! -name lock -exec head -qn1 {} + 2>/dev/null | tr -d '\r' | sort -u |
    while read -r id; do
      [ -z "${id}" ] || rm -f /var/lib/cni/results/*-"${id}"-*
    done
}

remove_state_dir() {
  # Shim sockets live in /run/containerd/s (hard-coded in containerd 1.6); ours
  # are gone with the shims. Remove the directories only if empty.
  rmdir /run/containerd/s 2>/dev/null && rmdir /run/containerd 2>/dev/null
  rm -rf "$S" || log "WARNING: could not remove all of $S"
  if [ -f "${STARTORDER_CURRENT}" ] && [ "$(cat "${STARTORDER_CURRENT}")" = "$S" ]; then rm -f "${STARTORDER_CURRENT}"; fi
}

main() {
  local t0
  t0=$(date +%s)
  find_state_dir "${1:-}"
  log "tearing down ${S}"
  read_state
  delete_pods
  stop_named kubelet kube-scheduler kube-controller-manager kube-proxy
  clean_containerd
  stop_named kube-apiserver etcd containerd
  stop_recorded
  stop_shims
  note_sandbox_netns
  kill_cgroup_leftovers
  unmount_state
  remove_sandbox_netns
  remove_cgroups
  delete_netns
  remove_container_log_links
  restore_sysctls
  remove_cni_results
  remove_state_dir
  log "down in $(( $(date +%s) - t0 ))s"
}

main "$@"
