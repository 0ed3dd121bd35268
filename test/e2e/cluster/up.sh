#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR # finds lib.sh (and up-config.sh) next to this script
# Long (about 390 lines) on purpose: one small function per step of bringing a cluster up, and main at
# the end lists them in order; the config files it writes are in up-config.sh.
# Starts a throwaway single-node Kubernetes on this machine:
#   containerd (own root/state/socket) + etcd + kube-apiserver +
#   kube-controller-manager + kube-scheduler + kubelet.
# Everything lives under one state directory ($STATE_DIR, default a fresh
# mktemp -d), which is recorded in ~/.cache/startorder/current-state-dir.
# Every PID started is recorded in $STATE_DIR/pids; down.sh stops exactly
# those (plus the containerd shims of *this* containerd), unmounts and removes
# the state directory.
#
# On success prints, on stdout, the path of the admin kubeconfig:
#   export KUBECONFIG="$(test/e2e/cluster/up.sh)"
# Logs of each component: $STATE_DIR/logs/*.log
# On failure up.sh tears down what it started (down.sh) and keeps the logs in
# ~/.cache/startorder/e2e/failed-up-logs; UP_KEEP_ON_FAILURE=1 leaves the cluster
# as it is for inspection instead.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=up-config.sh
source "${CLUSTER_DIR}/up-config.sh"

S=""            # the state directory, once it exists
T0=$(date +%s)

# ---------------------------------------------------------------- cleanup
# Set before anything is created: whatever up.sh made before it failed is
# recorded in $S (the network namespace right after creating it), and down.sh
# removes exactly that.
on_exit() {
  local rc=$?
  trap - EXIT
  [ "${rc}" -ne 0 ] || return 0
  [ -n "$S" ] || { log "up.sh FAILED (rc=${rc}) before it created anything"; exit "${rc}"; }
  if [ "${UP_KEEP_ON_FAILURE:-0}" = 1 ]; then
    log "up.sh FAILED (rc=${rc}). Logs: $S/logs. Tear down with: ${CLUSTER_DIR}/down.sh $S"
    exit "${rc}"
  fi
  local keep="${STARTORDER_CACHE}/e2e/failed-up-logs"
  { rm -rf "${keep}" && mkdir -p "${keep%/*}" && cp -r "$S/logs" "${keep}"; } || log "WARNING: could not keep the logs"
  log "up.sh FAILED (rc=${rc}); logs kept in ${keep}; tearing down $S"
  "${CLUSTER_DIR}/down.sh" "$S" >&2 || log "WARNING: down.sh $S failed"
  exit "${rc}"
}
on_signal() { log "up.sh: $1"; exit 130; }

# ---------------------------------------------------------------- preflight
install_missing_packages() {
  local need
  mapfile -t need < <(missing_packages e2e | sort -u)
  install_packages "${need[@]}"
}

# Sets BIN (the Kubernetes and etcd binaries, built once and cached) and KUBECTL.
find_binaries() {
  local b
  BIN="$("${CLUSTER_DIR}/build.sh" | tail -n1)"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd; do
    [ -x "${BIN}/${b}" ] || die "missing ${BIN}/${b}"
  done
  KUBECTL="${BIN}/kubectl"
}

# Ports, the bridge and the node IP live in our own network namespace, so the
# only thing that can clash with the host is the namespace's name.
require_free_netns() {
  # a here-string, not a pipe: under pipefail `… | grep -q` fails when grep quits early
  if [ -e "${NETNS_PATH}" ] || grep -qxF "${NETNS}" <<<"$(ip netns list 2>/dev/null | awk '{print $1}')"; then
    die "network namespace ${NETNS} exists (a previous cluster still up? run down.sh)"
  fi
}

# ---------------------------------------------------------------- state
# Sets S (and STATE_DIR) and records it, so down.sh finds it even if up.sh fails later.
make_state_dir() {
  if [ -z "${STATE_DIR:-}" ]; then
    STATE_DIR="$(mktemp -d /tmp/startorder-e2e.XXXXXX)"
  else
    mkdir -p "${STATE_DIR}"
    [ -z "$(ls -A "${STATE_DIR}")" ] || die "STATE_DIR ${STATE_DIR} is not empty"
  fi
  STATE_DIR="$(cd "${STATE_DIR}" && pwd -P)"
  chmod 755 "${STATE_DIR}"
  S="${STATE_DIR}"
  : > "$S/pids"
  mkdir -p "${STARTORDER_CACHE}"
  echo "$S" > "${STARTORDER_CURRENT}"
  mkdir -p "$S"/{pki,logs,etcd,containerd,cni/net.d,cni/ipam,kubelet/pki,kubelet/volume-plugins,pod-logs,images,bin}
  chmod 700 "$S/etcd"
  echo "${BIN}" > "$S/bin-dir"
  log "state dir: $S"
}

# The network namespace (recorded first, so down.sh removes it even if up.sh fails later).
make_netns() {
  ip netns add "${NETNS}"
  echo "${NETNS}" > "$S/netns"
  ip -n "${NETNS}" link set lo up
  log "network namespace ${NETNS}"
}

# cgroup v1 parent of everything the kubelet creates (cgroupRoot); pods go
# below it, so the machine's own cgroups are not touched. Sets CGROUP_ROOT.
make_cgroups() {
  local d
  CGROUP_ROOT="/startorder-$(basename "$S" | tr -c 'a-zA-Z0-9\n' '-')"
  echo "${CGROUP_ROOT}" > "$S/cgroup-root"
  for d in /sys/fs/cgroup/*/; do
    d="${d%/}"
    [ "$(basename "$d")" != unified ] || continue
    mountpoint -q "$d" || continue
    mkdir -p "${d}${CGROUP_ROOT}"
    if [ -f "$d/cpuset.cpus" ]; then
      cat "$d/cpuset.cpus" > "${d}${CGROUP_ROOT}/cpuset.cpus"
      cat "$d/cpuset.mems" > "${d}${CGROUP_ROOT}/cpuset.mems"
    fi
  done
  if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then mkdir -p "/sys/fs/cgroup/unified${CGROUP_ROOT}"; fi
}

# The kubelet refuses a loopback node IP ("nodeIP can't be loopback address"),
# so the node gets the gateway address of our own pod bridge, created here
# (the CNI bridge plugin then reuses it). Bridge and address exist only inside
# the network namespace; the pods' veth peers are attached there too.
make_bridge() {
  ip -n "${NETNS}" link add "${BRIDGE_NAME}" type bridge
  echo "${BRIDGE_NAME}" > "$S/bridge"
  ip -n "${NETNS}" addr add "${NODE_IP}/${POD_CIDR#*/}" dev "${BRIDGE_NAME}"
  ip -n "${NETNS}" link set "${BRIDGE_NAME}" up
  # A route for the Service range, so a process of the namespace (the apiserver calling a webhook's
  # Service) can connect to a ClusterIP: the route lookup comes first, then kube-proxy's DNAT in the
  # nat OUTPUT chain rewrites the destination to a pod IP. (Pods get the same route from the CNI config.)
  ip -n "${NETNS}" route add "${SERVICE_CIDR}" dev "${BRIDGE_NAME}" src "${NODE_IP}"
}

# The kubelet (protectKernelDefaults: false) changes these global sysctls;
# down.sh puts back the values recorded here. (The bridge CNI plugin turns on
# net.ipv4.ip_forward, which is per network namespace: only ours changes, and
# it goes away with the namespace.)
record_sysctls() {
  local k
  for k in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
    echo "$k=$(sysctl -n "$k")"
  done > "$S/sysctl-orig"
}

# ---------------------------------------------------------------- certificates
openssl_q() { openssl "$@" 2>>"$S/logs/openssl.log"; }
newkey() { openssl_q genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
# new_ca NAME CN: a self-signed CA in $PKI/NAME.{key,crt}
new_ca() {
  newkey "${PKI}/$1.key"
  openssl_q req -x509 -new -key "${PKI}/$1.key" -sha256 -days 7 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "${PKI}/$1.crt"
}
# leaf NAME SUBJECT EKU [SAN]: a key and a certificate signed by the cluster CA
leaf() {
  local name=$1 subj=$2 eku=$3 san=${4:-}
  newkey "${PKI}/${name}.key"
  openssl_q req -new -key "${PKI}/${name}.key" -subj "${subj}" -out "${PKI}/${name}.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=${eku}"
    [ -z "${san}" ] || echo "subjectAltName=${san}"
  } > "${PKI}/${name}.ext"
  openssl_q x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/ca.crt" -CAkey "${PKI}/ca.key" -CAcreateserial \
    -sha256 -days 7 -extfile "${PKI}/${name}.ext" -out "${PKI}/${name}.crt"
  rm -f "${PKI}/${name}.csr" "${PKI}/${name}.ext"
}
make_pki() {
  log "generating certificates"
  new_ca ca startorder-e2e-ca
  leaf apiserver "/CN=kube-apiserver" serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:${SERVICE_IP},IP:${NODE_IP}"
  leaf admin "/O=system:masters/CN=startorder-admin" clientAuth
  leaf apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  leaf controller-manager "/CN=system:kube-controller-manager" clientAuth
  leaf scheduler "/CN=system:kube-scheduler" clientAuth
  # bound to the ClusterRole system:node-proxier by the apiserver's bootstrap policy
  leaf kube-proxy "/CN=system:kube-proxy" clientAuth
  leaf kubelet-client "/O=system:nodes/CN=system:node:${NODE_NAME}" clientAuth
  leaf kubelet-serving "/O=system:nodes/CN=system:node:${NODE_NAME}" serverAuth "DNS:${NODE_NAME},DNS:localhost,IP:127.0.0.1,IP:${NODE_IP}"
  # front-proxy (request-header) CA, so aggregated-API style request-header
  # authentication is configured (silences controller errors).
  new_ca front-proxy-ca startorder-e2e-front-proxy-ca
  openssl_q genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "${PKI}/sa.key"
  openssl_q pkey -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub"
  chmod 600 "${PKI}"/*.key
}

# ---------------------------------------------------------------- images
# The sandbox ("pause"), workload and injector (test webhook) images, made by runtime/cmd/mkimage (the
# runtime image's builder): -skeleton adds /tmp (1777) and /etc/passwd +
# /etc/group naming the numeric user 65532:65532.
build_images() {
  log "building images"
  (cd "${E2E_DIR}" && CGO_ENABLED=0 go build -p 2 -buildvcs=false -trimpath -ldflags='-s -w' \
    -o "$S/images/" ./images/pause ./images/workload ./cmd/injector)
  (cd "${REPO_DIR}/runtime" && CGO_ENABLED=0 go build -trimpath -o "$S/images/mkimage" ./cmd/mkimage)
  mkimage "${PAUSE_IMAGE}" pause
  mkimage "${WORKLOAD_IMAGE}" workload
  mkimage "${INJECTOR_IMAGE}" injector
}
mkimage() { # NAME BINARY: the image runs /BINARY as 65532:65532
  "$S/images/mkimage" -name "$1" -binary "$S/images/$2" -path "/$2" -user 65532:65532 -skeleton \
    -env PATH=/usr/local/bin:/usr/bin:/bin -arch "$(go env GOARCH)" -o "$S/images/$2.tar"
}
import_images() {
  local img images
  log "importing images"
  ctr_k8s images import "$S/images/pause.tar" >&2
  ctr_k8s images import "$S/images/workload.tar" >&2
  ctr_k8s images import "$S/images/injector.tar" >&2
  images="$(ctr_k8s images ls -q)"
  for img in "${PAUSE_IMAGE}" "${WORKLOAD_IMAGE}" "${INJECTOR_IMAGE}"; do
    grep -qxF "${img}" <<<"${images}" || die "image ${img} not imported"
  done
}

# ---------------------------------------------------------------- processes
# in_netns CMD...: runs CMD in the cluster's network namespace (nsenter execs
# CMD, so a recorded PID is CMD's own).
in_netns() { nsenter "--net=${NETNS_PATH}" "$@"; }
kc() { "$S/kubectl" --kubeconfig "$S/admin.kubeconfig" "$@"; }
ctr_k8s() { ctr --address "${CTRD_SOCK}" -n k8s.io "$@"; }

# start NAME CMD...: runs CMD in its own session inside the network namespace,
# logs to logs/NAME.log, records "NAME PID STARTTIME" in $S/pids.
start() {
  local name=$1 pid st=""
  shift
  setsid nsenter "--net=${NETNS_PATH}" "$@" </dev/null >"$S/logs/${name}.log" 2>&1 &
  pid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do st="$(proc_starttime "${pid}")" && break; sleep 0.05; done
  echo "${name} ${pid} ${st}" >> "$S/pids"
  log "started ${name} pid ${pid}"
}

# wait_for NAME TIMEOUT_SECONDS CMD...: polls CMD until it succeeds; fails when
# NAME exits or the time is up.
wait_for() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if ! alive "${name}"; then
      tail -n 30 "$S/logs/${name}.log" >&2 || true
      die "${name} exited; see $S/logs/${name}.log"
    fi
    if [ "$(date +%s)" -ge "${deadline}" ]; then
      tail -n 30 "$S/logs/${name}.log" >&2 || true
      die "timed out after ${timeout}s waiting for ${name}"
    fi
    sleep 0.5
  done
}

# The registry the kubelet pulls the runtime image from (scripts/e2e.mjs pushes it there with
# `startorder runtime-image push`). In the network namespace like the rest, so REGISTRY_ADDR is ours.
start_registry() {
  mkdir -p "$S/registry/data"
  write_registry_config "$S/registry/config.yml"
  start registry /usr/bin/docker-registry serve "$S/registry/config.yml"
  echo "${REGISTRY_ADDR}" > "$S/registry-address"
  wait_for registry 30 in_netns curl -fsS "http://${REGISTRY_ADDR}/v2/"
}

start_containerd() {
  write_containerd_config "$S/containerd/config.toml"
  write_registry_hosts "$S/containerd/certs.d"
  start containerd containerd --config "$S/containerd/config.toml" --log-level info
  wait_for containerd 60 ctr_k8s version
}

start_etcd() {
  local client="http://127.0.0.1:${ETCD_PORT}" peer="http://127.0.0.1:${ETCD_PEER_PORT}"
  start etcd "${BIN}/etcd" \
    --name e2e --data-dir "$S/etcd" \
    --listen-client-urls "${client}" --advertise-client-urls "${client}" \
    --listen-peer-urls "${peer}" --initial-advertise-peer-urls "${peer}" \
    --initial-cluster "e2e=${peer}" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  wait_for etcd 60 in_netns curl -fsS "${client}/health"
}

start_apiserver() {
  local issuer="https://kubernetes.default.svc.cluster.local"
  start kube-apiserver "${BIN}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --bind-address 0.0.0.0 --advertise-address "${NODE_IP}" --secure-port "${APISERVER_PORT}" \
    --tls-cert-file "${PKI}/apiserver.crt" --tls-private-key-file "${PKI}/apiserver.key" \
    --client-ca-file "${PKI}/ca.crt" \
    --service-cluster-ip-range "${SERVICE_CIDR}" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,NodeRestriction,Priority,DefaultTolerationSeconds,DefaultStorageClass,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
    --service-account-issuer "${issuer}" \
    --service-account-key-file "${PKI}/sa.pub" \
    --service-account-signing-key-file "${PKI}/sa.key" \
    --api-audiences "${issuer}" \
    --kubelet-client-certificate "${PKI}/apiserver-kubelet-client.crt" \
    --kubelet-client-key "${PKI}/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "${PKI}/ca.crt" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --requestheader-client-ca-file "${PKI}/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --allow-privileged=true --profiling=false --v=1
  wait_for kube-apiserver 120 kc get --raw /readyz
}

# The flags the controller-manager and the scheduler share: NAME PORT
control_plane_flags() {
  local cfg="$S/$1.kubeconfig"
  printf '%s\n' --kubeconfig "${cfg}" --authentication-kubeconfig "${cfg}" --authorization-kubeconfig "${cfg}" \
    --bind-address 127.0.0.1 --secure-port "$2" --cert-dir "${PKI}/$1-serving" \
    --leader-elect=false --profiling=false --v=1
}

start_controller_manager() {
  local common
  mapfile -t common < <(control_plane_flags controller-manager "${KCM_PORT}")
  start kube-controller-manager "${BIN}/kube-controller-manager" "${common[@]}" \
    --service-account-private-key-file "${PKI}/sa.key" --root-ca-file "${PKI}/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file "${PKI}/ca.crt" --cluster-signing-key-file "${PKI}/ca.key" \
    --service-cluster-ip-range "${SERVICE_CIDR}" --allocate-node-cidrs=false \
    --flex-volume-plugin-dir "$S/kubelet/volume-plugins"
}

start_scheduler() {
  local common
  mapfile -t common < <(control_plane_flags scheduler "${SCHEDULER_PORT}")
  start kube-scheduler "${BIN}/kube-scheduler" "${common[@]}"
}

# kube-proxy (iptables mode) routes ClusterIPs: pods reach the apiserver through the `kubernetes`
# Service, and the apiserver reaches a webhook through its Service.
start_kube_proxy() {
  write_kube_proxy_config "$S/kube-proxy.yaml"
  start kube-proxy "${BIN}/kube-proxy" --config "$S/kube-proxy.yaml" --v=1
}

# kube-proxy has written the rules of the `kubernetes` Service (its endpoint is the apiserver on the node IP).
kubernetes_service_routed() {
  [ "$(kc get endpoints kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}')" = "${NODE_IP}" ] &&
    grep -qF -- "-d ${SERVICE_IP}/32" <<<"$(in_netns iptables -w -t nat -S KUBE-SERVICES)"
}

start_kubelet() {
  record_sysctls
  write_kubelet_config "$S/kubelet/config.yaml"
  start kubelet "${BIN}/kubelet" \
    --config "$S/kubelet/config.yaml" \
    --kubeconfig "$S/kubelet.kubeconfig" \
    --root-dir "$S/kubelet" --cert-dir "$S/kubelet/pki" \
    --containerd "${CTRD_SOCK}" \
    --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}" \
    --v=2
}

node_ready() {
  [ "$(kc get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
untainted() { [ -z "$(kc get node "${NODE_NAME}" -o jsonpath='{.spec.taints}')" ]; }

wait_until_ready() {
  local n
  wait_for kubelet 180 node_ready
  wait_for kube-controller-manager 120 kc -n default get serviceaccount default
  wait_for kube-scheduler 60 in_netns curl -fsSk "https://127.0.0.1:${SCHEDULER_PORT}/healthz"
  wait_for kube-controller-manager 60 in_netns curl -fsSk "https://127.0.0.1:${KCM_PORT}/healthz"
  wait_for kube-controller-manager 60 untainted
  wait_for kube-proxy 60 kubernetes_service_routed
  for n in registry containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    alive "$n" || die "$n is not running"
  done
}

# ---------------------------------------------------------------- main
main() {
  trap on_exit EXIT
  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGTERM' TERM
  trap 'on_signal SIGHUP' HUP
  [ "$(id -u)" = 0 ] || die "up.sh must run as root (kubelet, containerd, runc)"
  install_missing_packages
  find_binaries
  require_free_netns
  make_state_dir
  PKI="$S/pki"
  CTRD_SOCK="$S/containerd/containerd.sock"
  echo "${CTRD_SOCK}" > "$S/containerd-address"
  make_netns
  write_kubectl_wrapper "$S/kubectl"
  make_cgroups
  make_pki
  write_kubeconfigs
  build_images
  make_bridge
  write_cni_config "$S/cni/net.d/10-startorder.conflist"
  start_registry
  start_containerd
  import_images
  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler
  start_kubelet
  start_kube_proxy
  wait_until_ready
  log "cluster up in $(( $(date +%s) - T0 ))s; node ${NODE_NAME} Ready; state dir $S"
  log "export KUBECONFIG=$S/admin.kubeconfig"
  echo "$S/admin.kubeconfig"
}

# Hook for a variant of this cluster (test/e2e-135: Kubernetes 1.35, containerd 2): the file named by
# E2E_OVERRIDES is sourced last, so it may redefine any function above (find_binaries,
# write_containerd_config of up-config.sh).
# shellcheck source=/dev/null
if [ -n "${E2E_OVERRIDES:-}" ]; then source "${E2E_OVERRIDES}"; fi

main "$@"
