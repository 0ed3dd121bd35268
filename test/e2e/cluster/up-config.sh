# The configuration files up.sh writes, one function each. Source, don't execute.
# They read the settings of lib.sh and what up.sh set: S (the state directory),
# PKI, KUBECTL, CTRD_SOCK, CGROUP_ROOT.
# shellcheck shell=bash

# write_kubectl_wrapper FILE: kubectl inside the cluster's network namespace;
# everything that talks to the apiserver goes through it.
write_kubectl_wrapper() {
  cat > "$1" <<EOF
#!/bin/sh
# kubectl inside the cluster's network namespace ${NETNS} (its 127.0.0.1 is not the host's).
[ -n "\${KUBECONFIG:-}" ] || export KUBECONFIG="$S/admin.kubeconfig"
exec nsenter --net=${NETNS_PATH} ${KUBECTL} "\$@"
EOF
  chmod 755 "$1"
}

# write_kubeconfig NAME CERT: $S/NAME.kubeconfig, authenticating with $PKI/CERT.{crt,key}
write_kubeconfig() {
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

write_kubeconfigs() {
  write_kubeconfig admin admin
  write_kubeconfig controller-manager controller-manager
  write_kubeconfig scheduler scheduler
  write_kubeconfig kubelet kubelet-client
  write_kubeconfig kube-proxy kube-proxy
}

# write_cni_config FILE: the bridge (our own, made by up.sh) with host-local IPAM under $S.
write_cni_config() {
  cat > "$1" <<EOF
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
        "routes": [{"dst": "${POD_CIDR}"}, {"dst": "${SERVICE_CIDR}"}]
      }
    },
    {"type": "loopback"}
  ]
}
EOF
}

# write_containerd_config FILE: a containerd of our own (root, state, socket under $S).
write_containerd_config() {
  cat > "$1" <<EOF
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

# One hosts.toml per registry under config_path (see write_registry_hosts); the older
# registry.mirrors table is deprecated in 1.6 and may not be set beside config_path.
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "$S/containerd/certs.d"
EOF
}

# write_registry_hosts DIR: DIR/<host:port>/hosts.toml telling containerd that our registry speaks
# plain HTTP.
write_registry_hosts() {
  mkdir -p "$1/${REGISTRY_ADDR}"
  cat > "$1/${REGISTRY_ADDR}/hosts.toml" <<EOF
server = "http://${REGISTRY_ADDR}"

[host."http://${REGISTRY_ADDR}"]
  capabilities = ["pull", "resolve"]
EOF
}

# write_registry_config FILE: Debian's docker-registry (distribution 2.8) on REGISTRY_ADDR inside the
# network namespace, plain HTTP, no auth, its storage in $S/registry/data.
write_registry_config() {
  cat > "$1" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $S/registry/data
http:
  addr: ${REGISTRY_ADDR}
EOF
}

# write_kubelet_config FILE: serves on the node IP, talks to our containerd,
# puts every pod below CGROUP_ROOT, and never evicts (the machine is shared).
write_kubelet_config() {
  cat > "$1" <<EOF
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
}

# write_kube_proxy_config FILE: kube-proxy in iptables mode, in the cluster's network namespace (its
# rules exist only there). It leaves the conntrack sysctls alone (maxPerCore/min 0, timeouts 0s):
# nf_conntrack_max is global to the machine. masqueradeAll: the pods share one bridge with no
# br_netfilter guarantee, so a pod reaching another pod through a ClusterIP gets its reply through
# the node's conntrack (SNAT) and not straight over the bridge.
write_kube_proxy_config() {
  cat > "$1" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $S/kube-proxy.kubeconfig
hostnameOverride: ${NODE_NAME}
bindAddress: 0.0.0.0
healthzBindAddress: 127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}
metricsBindAddress: 127.0.0.1:${KUBE_PROXY_METRICS_PORT}
mode: iptables
clusterCIDR: ${POD_CIDR}
detectLocalMode: ClusterCIDR
nodePortAddresses: ["primary"]
iptables:
  masqueradeAll: true
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}
