# The v1.35 cluster's differences from test/e2e/cluster, sourced by up.sh through its E2E_OVERRIDES
# hook (after up-config.sh): the binaries come from this directory's build.sh (Kubernetes 1.35,
# containerd 2), and containerd gets a version 3 configuration. Everything else is up.sh's own.
# Source, don't execute; up.sh (test/e2e-135/up.sh sets E2E_OVERRIDES) and lib.sh set the rest.
# shellcheck shell=bash
# shellcheck disable=SC2034 # BIN and KUBECTL are read by up.sh

# Sets BIN (Kubernetes and etcd) and KUBECTL; containerd, its shim and ctr are found on PATH, where
# test/e2e-135/up.sh put E2E135_CONTAINERD_BIN first.
find_binaries() {
  local b
  BIN="${E2E135_K8S_BIN:?set by test/e2e-135/up.sh}"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd; do
    [ -x "${BIN}/${b}" ] || die "missing ${BIN}/${b}"
  done
  [ "$(command -v containerd)" = "${E2E135_CONTAINERD_BIN:?}/containerd" ] || die "containerd on PATH is $(command -v containerd), not ${E2E135_CONTAINERD_BIN}/containerd"
  KUBECTL="${BIN}/kubectl"
}

# write_containerd_config FILE: the same containerd as up-config.sh's, in containerd 2's version 3
# layout: the CRI plugin is split into io.containerd.cri.v1.images (pulls, the sandbox image, the
# registry hosts) and io.containerd.cri.v1.runtime (runc, CNI); the stream server stays in grpc.v1.cri.
write_containerd_config() {
  cat > "$1" <<CONF
version = 3
root = "$S/containerd/root"
state = "$S/containerd/state"

[grpc]
  address = "${CTRD_SOCK}"

[ttrpc]
  address = "${CTRD_SOCK}.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$S/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"

[plugins."io.containerd.cri.v1.images".pinned_images]
  sandbox = "${PAUSE_IMAGE}"

# One hosts.toml per registry under config_path (write_registry_hosts).
[plugins."io.containerd.cri.v1.images".registry]
  config_path = "$S/containerd/certs.d"

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  # This machine drops CAP_SYS_RESOURCE: nobody may lower oom_score_adj below its own, so the
  # sandbox's -998 makes runc fail. Cap it at containerd's own.
  restrict_oom_score_adj = true
  max_container_log_line_size = 16384

[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = "$(command -v runc)"
  Root = "$S/containerd/runc"

[plugins."io.containerd.cri.v1.runtime".cni]
  bin_dirs = ["/usr/lib/cni"]
  conf_dir = "$S/cni/net.d"
  max_conf_num = 1
CONF
}
