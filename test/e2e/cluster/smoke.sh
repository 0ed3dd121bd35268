#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR # finds lib.sh (and up-config.sh) next to this script
# Smoke test of the e2e cluster: up.sh -> two workload pods -> checks -> delete -> down.sh.
#   pod "net"     : pod network (CNI bridge), namespace with PodSecurity
#                   enforce=restricted, HTTP readiness probe;
#   pod "hostnet" : hostNetwork: true, readiness probe, ready-file on an emptyDir
#                   that is read back from the kubelet's pods dir on the host.
# For both: waits Ready, checks the JSON "start"/"ready" log lines, deletes the
# pod while following its log and checks the workload logged SIGTERM and its exit.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s)
S=""
UP_SECS=""
cleanup() {
  local rc=$?
  local t; t=$(date +%s)
  if [ -n "$S" ]; then "${CLUSTER_DIR}/down.sh" "$S" || rc=1; else "${CLUSTER_DIR}/down.sh" || rc=1; fi
  log "down took $(( $(date +%s) - t ))s; smoke total $(( $(date +%s) - T0 ))s"
  if [ $rc -eq 0 ]; then echo "smoke: 2 passed, 0 failed"; else echo "smoke: FAILED (rc=$rc)"; fi
  exit $rc
}

# Sets KUBECONFIG, S and UP_SECS.
bring_up() {
  local t
  t=$(date +%s)
  KUBECONFIG="$("${CLUSTER_DIR}/up.sh")"
  export KUBECONFIG
  S="$(dirname "${KUBECONFIG}")"
  UP_SECS=$(( $(date +%s) - t ))
  log "up took ${UP_SECS}s (KUBECONFIG=${KUBECONFIG})"
}
# kubectl inside the cluster's network namespace (the wrapper up.sh wrote)
k() { "$S/kubectl" "$@"; }

apply_pods() {
  k apply -f - <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: smoke-restricted
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Pod
metadata: {name: net, namespace: smoke-restricted}
spec:
  dnsPolicy: Default
  terminationGracePeriodSeconds: 10
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: workload
    image: localhost/startorder/workload:e2e
    imagePullPolicy: Never
    args: ["-name=net", "-ready-after=2s", "-port=8080", "-term-delay=500ms"]
    readinessProbe:
      httpGet: {path: /ready, port: 8080}
      periodSeconds: 1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: default}
spec:
  hostNetwork: true
  dnsPolicy: Default
  terminationGracePeriodSeconds: 10
  securityContext: {runAsNonRoot: true}
  volumes:
  - name: shared
    emptyDir: {}
  containers:
  - name: workload
    image: localhost/startorder/workload:e2e
    imagePullPolicy: Never
    env:
    - {name: WORKLOAD_NAME, value: hostnet}
    - {name: WORKLOAD_READY_AFTER, value: 1s}
    - {name: WORKLOAD_PORT, value: "18080"}
    - {name: WORKLOAD_READY_FILE, value: /shared/ready}
    - {name: WORKLOAD_TERM_DELAY, value: 500ms}
    volumeMounts:
    - {name: shared, mountPath: /shared}
    readinessProbe:
      httpGet: {path: /ready, port: 18080}
      periodSeconds: 1
EOF
}

check_pod() { # NAMESPACE NAME
  local ns=$1 name=$2 t; t=$(date +%s)
  k -n "$ns" wait --for=condition=Ready "pod/${name}" --timeout=90s >&2 || {
    k -n "$ns" describe pod "$name" >&2; return 1; }
  log "pod ${ns}/${name} Ready $(( $(date +%s) - t ))s after wait started"
  k -n "$ns" get pod "$name" -o wide
  local logs
  logs="$(k -n "$ns" logs "$name")"
  echo "--- ${ns}/${name} log:"; echo "$logs"
  grep -q '"event":"start"' <<<"$logs" || { log "no start line in ${name} log"; return 1; }
  grep -q '"event":"ready"' <<<"$logs" || { log "no ready line in ${name} log"; return 1; }
}

# The ready file hostnet wrote on its emptyDir, read back from the kubelet's pods dir on the host.
check_ready_file() {
  local uid rf
  uid="$(k -n default get pod hostnet -o jsonpath='{.metadata.uid}')"
  rf="$S/kubelet/pods/${uid}/volumes/kubernetes.io~empty-dir/shared/ready"
  [ -s "${rf}" ] || { log "ready file ${rf} missing"; return 1; }
  echo "--- ready file written by hostnet (read on the host): $(cat "${rf}")"
}

delete_and_check() { # NAMESPACE NAME
  local ns=$1 name=$2
  local out="$S/logs/smoke-${name}.follow"
  k -n "$ns" logs -f "$name" > "$out" 2>&1 &
  local follower=$!
  sleep 1
  local t; t=$(date +%s)
  k -n "$ns" delete pod "$name" --wait=true --timeout=60s >&2
  log "pod ${ns}/${name} deleted in $(( $(date +%s) - t ))s"
  wait "$follower" || true
  echo "--- ${ns}/${name} log followed through deletion:"; grep -E '"event":"(signal|exit)"' "$out"
  grep -q '"signal":"terminated"' "$out" || { log "${name}: SIGTERM not logged"; return 1; }
  grep -q '"event":"exit"' "$out" || { log "${name}: exit not logged"; return 1; }
}

main() {
  trap cleanup EXIT
  bring_up
  k get nodes -o wide
  apply_pods
  check_pod smoke-restricted net
  check_pod default hostnet
  check_ready_file
  delete_and_check smoke-restricted net
  delete_and_check default hostnet
  log "smoke checks passed (up ${UP_SECS}s)"
}

main "$@"
