"""Where the loopback cluster keeps its files and which addresses and ports it uses: one home for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NODE_NAME = "scoring-node"
# The pods' network: a bridge of our own with the node's address as the pods' gateway. The API server and the
# kubelet listen on the node address (pods reach them there); everything else stays on 127.0.0.1.
BRIDGE = "abs-pods0"
POD_SUBNET = "10.244.0.0/24"
NODE_IP = "10.244.0.1"
SERVICE_SUBNET = "10.96.0.0/24"
KUBERNETES_SERVICE_IP = "10.96.0.1"
CLUSTER_DOMAIN = "cluster.local"


@dataclass(frozen=True)
class ClusterPorts:
    """TCP ports of the cluster's parts (the node address for the API server and kubelet, else 127.0.0.1)."""

    etcd_client: int = 12379
    etcd_peer: int = 12380
    api_server: int = 6443
    controller_manager: int = 10257
    scheduler: int = 10259
    kubelet: int = 10250
    kubelet_healthz: int = 10248
    proxy_healthz: int = 10256
    proxy_metrics: int = 10249
    argo_server: int = 2746
    workflow_controller_healthz: int = 16060
    workflow_controller_metrics: int = 19090


@dataclass(frozen=True)
class ClusterLayout:
    """Every path of one cluster, all under `run_dir` but the programs in `bin_dir`, which every run dir shares."""

    run_dir: Path
    bin_dir: Path

    @property
    def platform(self) -> Path:
        """The multi-call binary: `platform COMPONENT ARGS...` (main.go of the Go module)."""
        return self.bin_dir / "platform"

    @property
    def argoexec(self) -> Path:
        return self.bin_dir / "argoexec"

    @property
    def pause(self) -> Path:
        return self.bin_dir / "pause"

    @property
    def pki_dir(self) -> Path:
        return self.run_dir / "pki"

    @property
    def conf_dir(self) -> Path:
        return self.run_dir / "conf"

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def etcd_dir(self) -> Path:
        return self.run_dir / "etcd"

    @property
    def kubelet_dir(self) -> Path:
        return self.run_dir / "kubelet"

    @property
    def containerd_root(self) -> Path:
        # Kept across `cluster down`: the imported images are a cache like podman's storage.
        return self.run_dir / "containerd" / "root"

    @property
    def containerd_state(self) -> Path:
        return self.run_dir / "containerd" / "state"

    @property
    def containerd_socket(self) -> Path:
        return self.run_dir / "containerd" / "containerd.sock"

    @property
    def cni_conf_dir(self) -> Path:
        return self.conf_dir / "cni"

    @property
    def cni_state_dir(self) -> Path:
        return self.run_dir / "cni"

    @property
    def admin_kubeconfig(self) -> Path:
        """The kubeconfig `cluster up` prints: cluster-admin, for people and the tests."""
        return self.conf_dir / "admin.kubeconfig"

    def kubeconfig(self, identity: str) -> Path:
        return self.conf_dir / f"{identity}.kubeconfig"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "cluster.json"

    def log(self, component: str) -> Path:
        return self.logs_dir / f"{component}.log"

    @property
    def audit_policy(self) -> Path:
        return self.conf_dir / "audit-policy.yaml"

    @property
    def audit_log(self) -> Path:
        """The API server's audit log: every request a service account made, one JSON event per line."""
        return self.logs_dir / "audit.log"
