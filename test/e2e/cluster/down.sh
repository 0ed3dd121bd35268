#!/usr/bin/env bash
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
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S="${1:-${STATE_DIR:-}}"
if [ -z "$S" ] && [ -f "${STARTORDER_CURRENT}" ]; then S="$(cat "${STARTORDER_CURRENT}")"; fi
[ -n "$S" ] || { log "down.sh: no state dir given or recorded; nothing to do"; exit 0; }
[ -d "$S" ] || { log "down.sh: ${S} does not exist; nothing to do"; rm -f "${STARTORDER_CURRENT}"; exit 0; }
S="$(cd "$S" && pwd -P)"
case "$S" in /|/tmp|/root|/home|/var|/usr|/etc) die "refusing to tear down ${S}" ;; esac
[ -f "$S/pids" ] || die "${S} has no pids file; not a startorder e2e state dir"
T0=$(date +%s)
log "tearing down ${S}"

BIN="$(cat "$S/bin-dir" 2>/dev/null || true)"
CTRD_SOCK="$(cat "$S/containerd-address" 2>/dev/null || true)"
CGROUP_ROOT="$(cat "$S/cgroup-root" 2>/dev/null || true)"
# The cluster's network namespace (recorded by up.sh right after creating it).
NS_NAME="$(cat "$S/netns" 2>/dev/null || true)"
NS_INO=""
if [ -n "${NS_NAME}" ] && [ -e "/run/netns/${NS_NAME}" ]; then
  NS_INO="$(stat -L -c %i "/run/netns/${NS_NAME}" 2>/dev/null || true)"
fi

pid_of() { awk -v n="$1" '$1==n {print $2}' "$S/pids" | tail -n1; }
alive() {
  local line pid st
  line="$(awk -v n="$1" '$1==n' "$S/pids" | tail -n1)"
  [ -n "$line" ] || return 1
  pid="$(echo "$line" | awk '{print $2}')"; st="$(echo "$line" | awk '{print $3}')"
  [ -n "$pid" ] && [ "$(proc_starttime "$pid" 2>/dev/null)" = "$st" ]
}

# --------------------------------------------------------------- 1. pods
if [ "${FAST:-0}" != 1 ] && [ -x "$S/kubectl" ] && [ -x "${BIN}/kubectl" ] && alive kube-apiserver && alive kubelet; then
  # $S/kubectl runs kubectl inside the cluster's network namespace
  KC=("$S/kubectl" --kubeconfig "$S/admin.kubeconfig" --request-timeout=10s)
  if "${KC[@]}" get --raw /readyz >/dev/null 2>&1; then
    log "deleting all pods"
    "${KC[@]}" delete pods --all --all-namespaces --grace-period=2 --wait=false >/dev/null 2>&1 || true
    deadline=$(( $(date +%s) + 45 ))
    while [ "$(date +%s)" -lt "${deadline}" ]; do
      n_api="$("${KC[@]}" get pods -A --no-headers 2>/dev/null | wc -l)"
      n_tasks=0
      if [ -n "${CTRD_SOCK}" ] && [ -S "${CTRD_SOCK}" ]; then
        # running tasks; stopped containers are left for step 2 (the kubelet
        # would only garbage-collect them a minute later)
        n_tasks="$(ctr --address "${CTRD_SOCK}" -n k8s.io tasks ls 2>/dev/null | awk 'NR>1 && $3!="STOPPED"' | wc -l)"
      fi
      [ "${n_api}" = 0 ] && [ "${n_tasks}" = 0 ] && break
      sleep 1
    done
    log "pods left: api=${n_api:-?} running tasks=${n_tasks:-?}"
  fi
fi

# --------------------------------------------------------------- 2./3. stop components
stop_pid() { # NAME PID STARTTIME
  local name=$1 pid=$2 st=$3
  [ -n "$pid" ] || return 0
  if [ "$(proc_starttime "$pid" 2>/dev/null)" != "$st" ]; then return 0; fi
  kill -TERM "$pid" 2>/dev/null || return 0

  for _ in $(seq 1 100); do            # up to 10s
    [ "$(proc_starttime "$pid" 2>/dev/null)" = "$st" ] || { log "stopped ${name} (${pid})"; return 0; }
    sleep 0.1
  done
  log "${name} (${pid}) ignored SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    [ "$(proc_starttime "$pid" 2>/dev/null)" = "$st" ] || return 0
    sleep 0.1
  done
  log "WARNING: ${name} (${pid}) still alive"
}
# stop_named NAME...: stops the named components in parallel.
stop_named() {
  local name
  for name in "$@"; do
    awk -v n="$name" '$1==n' "$S/pids" | while read -r _ pid st; do stop_pid "$name" "$pid" "$st"; done &
  done
  wait
}

stop_named kubelet kube-scheduler kube-controller-manager

if [ -n "${CTRD_SOCK}" ] && [ -S "${CTRD_SOCK}" ] && alive containerd; then
  CTR=(ctr --address "${CTRD_SOCK}" -n k8s.io)
  # Network namespaces of sandboxes still known to our containerd (normally
  # none: the kubelet stops sandboxes when their pods are deleted). CRI keeps
  # them under /var/run/netns (hard-coded), so note them for step 5.
  for c in $("${CTR[@]}" containers ls -q 2>/dev/null); do
    "${CTR[@]}" containers info "$c" 2>/dev/null | grep -oE '/(var/)?run/netns/cni-[0-9a-f-]+' || true
  done | sort -u > "$S/netns-left"
  for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
    "${CTR[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
  done
  sleep 0.5
  for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
    "${CTR[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true
  done
  for c in $("${CTR[@]}" containers ls -q 2>/dev/null); do
    "${CTR[@]}" containers delete "$c" >/dev/null 2>&1 || true
  done
fi

stop_named kube-apiserver etcd containerd
# anything else recorded (future components)
while read -r name pid st; do stop_pid "$name" "$pid" "$st"; done < "$S/pids"

# --------------------------------------------------------------- 4. shims and cgroup leftovers
if [ -n "${CTRD_SOCK}" ]; then
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    args="$(tr '\0' '\n' 2>/dev/null < "$p/cmdline")" || continue
    if grep -qxF -- "${CTRD_SOCK}" <<<"$args"; then
      st="$(proc_starttime "$pid")" || continue
      echo "shim ${pid} ${st}" >> "$S/pids"
      stop_pid shim "$pid" "$st"
    fi
  done
fi
# network namespace inodes of processes in our cgroups (pod sandboxes), to find
# their /var/run/netns bind mounts if containerd could not remove them.
: > "$S/netns-inodes"
if [ -n "${CGROUP_ROOT}" ] && [ -d "/sys/fs/cgroup/pids${CGROUP_ROOT}" ]; then
  find "/sys/fs/cgroup/pids${CGROUP_ROOT}" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
    stat -L -c %i "/proc/${pid}/ns/net" 2>/dev/null || true
  done | sort -u > "$S/netns-inodes"
fi
if [ -n "${CGROUP_ROOT}" ]; then
  for round in 1 2 3; do
    left=0
    for d in /sys/fs/cgroup/*/; do
      dir="${d%/}${CGROUP_ROOT}"
      [ -d "$dir" ] || continue
      while read -r f; do
        while read -r pid; do
          [ -n "$pid" ] || continue
          left=1
          kill -KILL "$pid" 2>/dev/null || true
        done < "$f"
      done < <(find "$dir" -name cgroup.procs 2>/dev/null)
    done
    [ "$left" = 0 ] && break
    log "killed processes left in cgroup ${CGROUP_ROOT} (round ${round})"
    sleep 0.5
  done
fi

# --------------------------------------------------------------- 5. mounts, cgroups, network, files
for round in 1 2 3; do
  mapfile -t mps < <(awk -v s="$S" '{ m=$2; gsub(/\\040/, " ", m); if (m == s || index(m, s "/") == 1) print m }' /proc/mounts | tac)
  [ "${#mps[@]}" = 0 ] && break
  for m in "${mps[@]}"; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m"
  done
done

host_netns="$(stat -L -c %i /proc/self/ns/net)"
for ns in /var/run/netns/cni-*; do
  [ -e "$ns" ] || continue
  ino="$(stat -L -c %i "$ns" 2>/dev/null)" || continue
  [ "$ino" != "$host_netns" ] && [ "$ino" != "${NS_INO}" ] && grep -qx "$ino" "$S/netns-inodes" 2>/dev/null && echo "$ns" >> "$S/netns-left"
done
if [ -s "$S/netns-left" ]; then
  while read -r ns; do
    [ -e "$ns" ] || continue
    umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
    rm -f "$ns" && log "removed leftover network namespace $ns"
  done < "$S/netns-left"
fi

if [ -n "${CGROUP_ROOT}" ]; then
  for d in /sys/fs/cgroup/*/; do
    dir="${d%/}${CGROUP_ROOT}"
    [ -d "$dir" ] || continue
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$dir" ] && log "WARNING: could not remove cgroup $dir"
  done
fi

# The bridge lives in our network namespace; deleting the namespace removes it
# and any veth ends still attached. Processes still in it (there should be
# none: everything we started is stopped above) are reported, not killed.
if [ -n "${NS_NAME}" ] && [ -e "/run/netns/${NS_NAME}" ]; then
  if [ -n "${NS_INO}" ]; then
    for p in /proc/[0-9]*; do
      [ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" = "${NS_INO}" ] || continue
      proc_starttime "${p#/proc/}" >/dev/null 2>&1 || continue   # zombies are gone
      log "WARNING: pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) is still in network namespace ${NS_NAME}"
    done
  fi
  br="$(cat "$S/bridge" 2>/dev/null || true)"
  if [ -n "$br" ] && ip -n "${NS_NAME}" link show "$br" >/dev/null 2>&1; then
    ip -n "${NS_NAME}" link delete "$br" && log "deleted bridge $br in ${NS_NAME}"
  fi
  ip netns delete "${NS_NAME}" && log "deleted network namespace ${NS_NAME}" || log "WARNING: could not delete network namespace ${NS_NAME}"
fi

if [ -d /var/log/containers ]; then
  for l in /var/log/containers/*.log; do
    [ -L "$l" ] || continue
    case "$(readlink "$l")" in "$S"/*) rm -f "$l" ;; esac
  done
fi

if [ -s "$S/sysctl-orig" ]; then
  while IFS='=' read -r k v; do
    [ -n "$k" ] && [ -n "$v" ] && sysctl -q -w "$k=$v" >/dev/null 2>&1 || true
  done < "$S/sysctl-orig"
  log "restored sysctls: $(tr '\n' ' ' < "$S/sysctl-orig")"
fi

# libcni's result cache (/var/lib/cni/results, hard-coded in containerd 1.6)
# keeps entries of sandboxes that never got a CNI DEL; our sandbox IDs are the
# owners recorded by host-local IPAM under STATE_DIR.
if [ -d /var/lib/cni/results ] && [ -d "$S/cni/ipam" ]; then
  find "$S/cni/ipam" -type f ! -name 'last_reserved_ip*' ! -name lock -exec head -qn1 {} + 2>/dev/null | tr -d '\r' | sort -u |
  while read -r id; do
    [ -n "$id" ] && rm -f /var/lib/cni/results/*-"${id}"-*
  done
fi

# Shim sockets live in /run/containerd/s (hard-coded in containerd 1.6); ours
# are gone with the shims. Remove the directories only if empty.
rmdir /run/containerd/s 2>/dev/null && rmdir /run/containerd 2>/dev/null || true

rm -rf "$S" || log "WARNING: could not remove all of $S"
if [ -f "${STARTORDER_CURRENT}" ] && [ "$(cat "${STARTORDER_CURRENT}")" = "$S" ]; then rm -f "${STARTORDER_CURRENT}"; fi
log "down in $(( $(date +%s) - T0 ))s"
