#!/usr/bin/env bash
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
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s)
[ "$(id -u)" = 0 ] || die "up.sh must run as root (kubelet, containerd, runc)"

# ---------------------------------------------------------------- packages
need_pkgs=()
for spec in containerd:containerd ctr:containerd containerd-shim-runc-v2:containerd runc:runc \
            openssl:openssl iptables:iptables conntrack:conntrack socat:socat curl:curl \
            ip:iproute2 ss:iproute2 flock:util-linux setsid:util-linux mountpoint:util-linux \
            sysctl:procps; do
  command -v "${spec%%:*}" >/dev/null 2>&1 || need_pkgs+=("${spec#*:}")
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] || need_pkgs+=(containernetworking-plugins)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing: ${need_pkgs[*]}"
  apt-get update -qq >&2
  # shellcheck disable=SC2046 # word splitting intended
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need_pkgs[@]}" | sort -u) >&2
fi

# ---------------------------------------------------------------- binaries
BIN="$("${CLUSTER_DIR}/build.sh" | tail -n1)"
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd; do
  [ -x "${BIN}/${b}" ] || die "missing ${BIN}/${b}"
done
KUBECTL="${BIN}/kubectl"

# ---------------------------------------------------------------- network namespace
# Ports, the bridge and the node IP live in our own network namespace, so the
# only thing that can clash with the host is the namespace's name.
if [ -e "${NETNS_PATH}" ] || grep -qxF "${NETNS}" <<<"$(ip netns list 2>/dev/null | awk '{print $1}')"; then
  die "network namespace ${NETNS} exists (a previous cluster still up? run down.sh)"
fi

# ---------------------------------------------------------------- state dir
if [ -z "${STATE_DIR:-}" ]; then
  STATE_DIR="$(mktemp -d /tmp/startorder-e2e.XXXXXX)"
else
  mkdir -p "${STATE_DIR}"
  [ -z "$(ls -A "${STATE_DIR}")" ] || die "STATE_DIR ${STATE_DIR} is not empty"
fi
STATE_DIR="$(cd "${STATE_DIR}" && pwd -P)"
chmod 755 "${STATE_DIR}"
mkdir -p "${STARTORDER_CACHE}"
echo "${STATE_DIR}" > "${STARTORDER_CURRENT}"
S="${STATE_DIR}"
mkdir -p "$S"/{pki,logs,etcd,containerd,cni/net.d,cni/ipam,kubelet/pki,kubelet/volume-plugins,pod-logs,images,bin}
: > "$S/pids"
chmod 700 "$S/etcd"
echo "${BIN}" > "$S/bin-dir"
log "state dir: $S"

# The network namespace (recorded first, so down.sh removes it even if up.sh fails later).
ip netns add "${NETNS}"
echo "${NETNS}" > "$S/netns"
ip -n "${NETNS}" link set lo up
NSX=(nsenter "--net=${NETNS_PATH}")
# Everything that talks to the apiserver goes through this wrapper.
cat > "$S/kubectl" <<EOF
#!/bin/sh
# kubectl inside the cluster's network namespace ${NETNS} (its 127.0.0.1 is not the host's).
[ -n "\${KUBECONFIG:-}" ] || export KUBECONFIG="$S/admin.kubeconfig"
exec nsenter --net=${NETNS_PATH} ${KUBECTL} "\$@"
EOF
chmod 755 "$S/kubectl"
log "network namespace ${NETNS}"

# Failure: leave everything for inspection but say how to clean up.
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    log "up.sh FAILED (rc=$rc). Logs: $S/logs. Tear down with: ${CLUSTER_DIR}/down.sh $S"
  fi
}
trap on_exit EXIT

# cgroup v1 parent of everything the kubelet creates (cgroupRoot); pods go
# below it, so the machine's own cgroups are not touched.
CGROUP_ROOT="/startorder-$(basename "$S" | tr -c 'a-zA-Z0-9\n' '-')"
echo "${CGROUP_ROOT}" > "$S/cgroup-root"
for d in /sys/fs/cgroup/*/; do
  d="${d%/}"
  case "$(basename "$d")" in unified) continue ;; esac
  mountpoint -q "$d" || continue
  mkdir -p "${d}${CGROUP_ROOT}"
  if [ -f "$d/cpuset.cpus" ]; then
    cat "$d/cpuset.cpus" > "${d}${CGROUP_ROOT}/cpuset.cpus"
    cat "$d/cpuset.mems" > "${d}${CGROUP_ROOT}/cpuset.mems"
  fi
done
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then mkdir -p "/sys/fs/cgroup/unified${CGROUP_ROOT}"; fi

# ---------------------------------------------------------------- certs
PKI="$S/pki"
log "generating certificates"
openssl_q() { openssl "$@" 2>>"$S/logs/openssl.log"; }
newkey() { openssl_q genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
newkey "${PKI}/ca.key"
openssl_q req -x509 -new -key "${PKI}/ca.key" -sha256 -days 7 -subj "/CN=startorder-e2e-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
  -out "${PKI}/ca.crt"
# leaf NAME SUBJECT EKU [SAN]
leaf() {
  local name=$1 subj=$2 eku=$3 san=${4:-}
  newkey "${PKI}/${name}.key"
  openssl_q req -new -key "${PKI}/${name}.key" -subj "${subj}" -out "${PKI}/${name}.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=${eku}"
    [ -n "${san}" ] && echo "subjectAltName=${san}"
  } > "${PKI}/${name}.ext"
  openssl_q x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/ca.crt" -CAkey "${PKI}/ca.key" -CAcreateserial \
    -sha256 -days 7 -extfile "${PKI}/${name}.ext" -out "${PKI}/${name}.crt"
  rm -f "${PKI}/${name}.csr" "${PKI}/${name}.ext"
}
leaf apiserver "/CN=kube-apiserver" serverAuth \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:${SERVICE_IP}"
leaf admin "/O=system:masters/CN=startorder-admin" clientAuth
leaf apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
leaf controller-manager "/CN=system:kube-controller-manager" clientAuth
leaf scheduler "/CN=system:kube-scheduler" clientAuth
leaf kubelet-client "/O=system:nodes/CN=system:node:${NODE_NAME}" clientAuth
leaf kubelet-serving "/O=system:nodes/CN=system:node:${NODE_NAME}" serverAuth "DNS:${NODE_NAME},DNS:localhost,IP:127.0.0.1,IP:${NODE_IP}"
# front-proxy (request-header) CA + client, so aggregated-API style
# request-header authentication is configured (silences controller errors).
newkey "${PKI}/front-proxy-ca.key"
openssl_q req -x509 -new -key "${PKI}/front-proxy-ca.key" -sha256 -days 7 -subj "/CN=startorder-e2e-front-proxy-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
  -out "${PKI}/front-proxy-ca.crt"
openssl_q genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "${PKI}/sa.key"
openssl_q pkey -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub"
chmod 600 "${PKI}"/*.key

# kubeconfig NAME CERT
kubeconfig() {
  cat > "$S/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: startorder-e2e
  cluster:
    server: https://127.0.0.1:${APISERVER_PORT}
    certificate-authority: ${PKI}/ca.crt
users:
- name: $1
  user:
    client-certificate: ${PKI}/$2.crt
    client-key: ${PKI}/$2.key
contexts:
- name: startorder-e2e
  context: {cluster: startorder-e2e, user: $1}
current-context: startorder-e2e
EOF
}
kubeconfig admin admin
kubeconfig controller-manager controller-manager
kubeconfig scheduler scheduler
kubeconfig kubelet kubelet-client
KUBECONFIG_ADMIN="$S/admin.kubeconfig"
kc() { "$S/kubectl" --kubeconfig "${KUBECONFIG_ADMIN}" "$@"; }

# ---------------------------------------------------------------- process helpers
# start NAME CMD...: runs CMD in its own session, logs to logs/NAME.log,
# records "NAME PID STARTTIME" in $S/pids. CMD runs in our network namespace
# (nsenter execs CMD, so the recorded PID is CMD's own).
start() {
  local name=$1; shift
  setsid "${NSX[@]}" "$@" </dev/null >"$S/logs/${name}.log" 2>&1 &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do st="$(proc_starttime "$pid")" && break; sleep 0.05; done
  echo "${name} ${pid} ${st}" >> "$S/pids"
  log "started ${name} pid ${pid}"
}
alive() { # NAME
  local pid
  pid="$(awk -v n="$1" '$1==n {print $2}' "$S/pids" | tail -n1)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
# wait_for NAME TIMEOUT_SECONDS CMD...: poll CMD until it succeeds.
wait_for() {
  local name=$1 timeout=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
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

# ---------------------------------------------------------------- images
log "building images"
( cd "${E2E_DIR}" && CGO_ENABLED=0 go build -p 2 -buildvcs=false -trimpath -ldflags='-s -w' \
    -o "$S/images/" ./images/pause ./images/workload )
# runtime/cmd/mkimage (the runtime image's builder) makes both: -skeleton adds /tmp (1777)
# and /etc/passwd + /etc/group naming the numeric user 65532:65532.
( cd "${E2E_DIR}/../../runtime" && CGO_ENABLED=0 go build -trimpath -o "$S/images/mkimage" ./cmd/mkimage )
mkimage() { # NAME BINARY: the image runs /BINARY as 65532:65532
  "$S/images/mkimage" -name "$1" -binary "$S/images/$2" -path "/$2" -user 65532:65532 -skeleton \
    -env PATH=/usr/local/bin:/usr/bin:/bin -arch "$(go env GOARCH)" -o "$S/images/$2.tar"
}
mkimage "${PAUSE_IMAGE}" pause
mkimage "${WORKLOAD_IMAGE}" workload

# ---------------------------------------------------------------- node network
# The kubelet refuses a loopback node IP ("nodeIP can't be loopback address"),
# so the node gets the gateway address of our own pod bridge, created here
# (the CNI bridge plugin then reuses it). Bridge and address exist only inside
# the network namespace ${NETNS}; the pods' veth peers are attached there too.
ip -n "${NETNS}" link add "${BRIDGE_NAME}" type bridge
echo "${BRIDGE_NAME}" > "$S/bridge"
ip -n "${NETNS}" addr add "${NODE_IP}/$(echo "${POD_CIDR}" | cut -d/ -f2)" dev "${BRIDGE_NAME}"
ip -n "${NETNS}" link set "${BRIDGE_NAME}" up

# ---------------------------------------------------------------- CNI
cat > "$S/cni/net.d/10-startorder.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "startorder-e2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${BRIDGE_NAME}",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$S/cni/ipam",
        "ranges": [[{"subnet": "${POD_CIDR}", "gateway": "${POD_GATEWAY}"}]],
        "routes": [{"dst": "${POD_CIDR}"}]
      }
    },
    {"type": "loopback"}
  ]
}
EOF

# ---------------------------------------------------------------- containerd
CTRD_SOCK="$S/containerd/containerd.sock"
echo "${CTRD_SOCK}" > "$S/containerd-address"
cat > "$S/containerd/config.toml" <<EOF
version = 2
root = "$S/containerd/root"
state = "$S/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${CTRD_SOCK}"

[ttrpc]
  address = "${CTRD_SOCK}.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$S/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # This machine drops CAP_SYS_RESOURCE: nobody may lower oom_score_adj below
  # its own, so the sandbox's -998 makes runc fail. Cap it at containerd's own.
  restrict_oom_score_adj = true
  max_container_log_line_size = 16384

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = "$(command -v runc)"
  Root = "$S/containerd/runc"

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "$S/cni/net.d"
  max_conf_num = 1
EOF
start containerd containerd --config "$S/containerd/config.toml" --log-level info
CTR=(ctr --address "${CTRD_SOCK}" -n k8s.io)
wait_for containerd 60 "${CTR[@]}" version
log "importing images"
"${CTR[@]}" images import "$S/images/pause.tar" >&2
"${CTR[@]}" images import "$S/images/workload.tar" >&2
images="$("${CTR[@]}" images ls -q)"
for img in "${PAUSE_IMAGE}" "${WORKLOAD_IMAGE}"; do
  grep -qxF "${img}" <<<"${images}" || die "image ${img} not imported"
done

# ---------------------------------------------------------------- etcd
start etcd "${BIN}/etcd" \
  --name e2e --data-dir "$S/etcd" \
  --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
  --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
  --initial-cluster "e2e=http://127.0.0.1:${ETCD_PEER_PORT}" --initial-cluster-state new \
  --unsafe-no-fsync --log-level warn
wait_for etcd 60 "${NSX[@]}" curl -fsS "http://127.0.0.1:${ETCD_PORT}/health"

# ---------------------------------------------------------------- kube-apiserver
SA_ISSUER="https://kubernetes.default.svc.cluster.local"
start kube-apiserver "${BIN}/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${APISERVER_PORT}" \
  --tls-cert-file "${PKI}/apiserver.crt" --tls-private-key-file "${PKI}/apiserver.key" \
  --client-ca-file "${PKI}/ca.crt" \
  --service-cluster-ip-range "${SERVICE_CIDR}" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,NodeRestriction,Priority,DefaultTolerationSeconds,DefaultStorageClass,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook \
  --service-account-issuer "${SA_ISSUER}" \
  --service-account-key-file "${PKI}/sa.pub" \
  --service-account-signing-key-file "${PKI}/sa.key" \
  --api-audiences "${SA_ISSUER}" \
  --kubelet-client-certificate "${PKI}/apiserver-kubelet-client.crt" \
  --kubelet-client-key "${PKI}/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "${PKI}/ca.crt" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --requestheader-client-ca-file "${PKI}/front-proxy-ca.crt" \
  --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --endpoint-reconciler-type none \
  --allow-privileged=true --profiling=false --v=1
wait_for kube-apiserver 120 kc get --raw /readyz

# ---------------------------------------------------------------- controller-manager, scheduler
start kube-controller-manager "${BIN}/kube-controller-manager" \
  --kubeconfig "$S/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$S/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$S/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "${KCM_PORT}" \
  --cert-dir "$S/pki/kcm-serving" \
  --service-account-private-key-file "${PKI}/sa.key" --root-ca-file "${PKI}/ca.crt" \
  --use-service-account-credentials=true \
  --cluster-signing-cert-file "${PKI}/ca.crt" --cluster-signing-key-file "${PKI}/ca.key" \
  --service-cluster-ip-range "${SERVICE_CIDR}" --allocate-node-cidrs=false \
  --flex-volume-plugin-dir "$S/kubelet/volume-plugins" \
  --leader-elect=false --profiling=false --v=1
start kube-scheduler "${BIN}/kube-scheduler" \
  --kubeconfig "$S/scheduler.kubeconfig" \
  --authentication-kubeconfig "$S/scheduler.kubeconfig" \
  --authorization-kubeconfig "$S/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "${SCHEDULER_PORT}" \
  --cert-dir "$S/pki/scheduler-serving" \
  --leader-elect=false --profiling=false --v=1

# ---------------------------------------------------------------- kubelet
# The kubelet (protectKernelDefaults: false) changes these global sysctls;
# down.sh puts back the values recorded here. (The bridge CNI plugin turns on
# net.ipv4.ip_forward, which is per network namespace: only ${NETNS}'s changes,
# and it goes away with the namespace.)
for k in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
  echo "$k=$(sysctl -n "$k")"
done > "$S/sysctl-orig"
cat > "$S/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: ${KUBELET_PORT}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${KUBELET_HEALTHZ_PORT}
tlsCertFile: ${PKI}/kubelet-serving.crt
tlsPrivateKeyFile: ${PKI}/kubelet-serving.key
rotateCertificates: false
serverTLSBootstrap: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: ${PKI}/ca.crt}
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://${CTRD_SOCK}
imageServiceEndpoint: unix://${CTRD_SOCK}
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupsPerQOS: true
cgroupRoot: ${CGROUP_ROOT}
enforceNodeAllocatable: []
failSwapOn: false
staticPodPath: ""
podLogsDir: $S/pod-logs
volumePluginDir: $S/kubelet/volume-plugins
evictionHard:
  memory.available: "0%"
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
evictionPressureTransitionPeriod: 5s
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
imageMinimumGCAge: 24h
serializeImagePulls: false
makeIPTablesUtilChains: false
protectKernelDefaults: false
registerNode: true
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
maxPods: 110
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
fileCheckFrequency: 5s
shutdownGracePeriod: 0s
localStorageCapacityIsolation: true
EOF
start kubelet "${BIN}/kubelet" \
  --config "$S/kubelet/config.yaml" \
  --kubeconfig "$S/kubelet.kubeconfig" \
  --root-dir "$S/kubelet" --cert-dir "$S/kubelet/pki" \
  --containerd "${CTRD_SOCK}" \
  --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}" \
  --v=2

# ---------------------------------------------------------------- wait
node_ready() {
  [ "$(kc get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
wait_for kubelet 180 node_ready
wait_for kube-controller-manager 120 kc -n default get serviceaccount default
wait_for kube-scheduler 60 "${NSX[@]}" curl -fsSk "https://127.0.0.1:${SCHEDULER_PORT}/healthz"
wait_for kube-controller-manager 60 "${NSX[@]}" curl -fsSk "https://127.0.0.1:${KCM_PORT}/healthz"
untainted() { [ -z "$(kc get node "${NODE_NAME}" -o jsonpath='{.spec.taints}')" ]; }
wait_for kube-controller-manager 60 untainted

for n in containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet; do
  alive "$n" || die "$n is not running"
done
log "cluster up in $(( $(date +%s) - T0 ))s; node ${NODE_NAME} Ready; state dir $S"
log "export KUBECONFIG=${KUBECONFIG_ADMIN}"
echo "${KUBECONFIG_ADMIN}"
