"""The cluster's configuration files: kubeconfigs, containerd's config, the CNI network and the kubelet's config."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from argo_toolset.cluster.layout import (
    BRIDGE,
    CLUSTER_DOMAIN,
    NODE_IP,
    POD_SUBNET,
    ClusterLayout,
    ClusterPorts,
)
from argo_toolset.cluster.pki import ClientIdentity, Pki

CNI_BIN_DIR = "/usr/lib/cni"  # Debian's containernetworking-plugins
RUNC = "/usr/sbin/runc"


def api_server_url(ports: ClusterPorts) -> str:
    return f"https://{NODE_IP}:{ports.api_server}"


def write_kubeconfig(path: Path, pki: Pki, identity: ClientIdentity, ports: ClusterPorts) -> Path:
    """A kubeconfig that authenticates `identity` by its client certificate."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "scoring", "cluster": {"server": api_server_url(ports),
                                                      "certificate-authority": str(pki.ca_cert)}}],
        "users": [{"name": identity.user, "user": {"client-certificate": str(pki.client_cert(identity)),
                                                   "client-key": str(pki.client_key(identity))}}],
        "contexts": [{"name": "scoring", "context": {"cluster": "scoring", "user": identity.user}}],
        "current-context": "scoring",
    }
    return _write(path, yaml.safe_dump(config, sort_keys=False), mode=0o600)


def write_token_kubeconfig(path: Path, pki: Pki, user: str, token: str, ports: ClusterPorts,
                           namespace: str) -> Path:
    """A kubeconfig that authenticates with a service account's token (Argo's controller and server use these)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "scoring", "cluster": {"server": api_server_url(ports),
                                                      "certificate-authority": str(pki.ca_cert)}}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": "scoring", "context": {"cluster": "scoring", "user": user, "namespace": namespace}}],
        "current-context": "scoring",
    }
    return _write(path, yaml.safe_dump(config, sort_keys=False), mode=0o600)


def write_containerd_config(layout: ClusterLayout, pause_image: str) -> Path:
    """containerd 1.6 with its CRI plugin: runc without systemd (cgroupfs), overlayfs, our CNI folder, our
    `pause_image` as every pod's sandbox (images.py), and oom_score_adj never lowered (see the comment in the
    file)."""
    text = f"""version = 2
root = "{layout.containerd_root}"
state = "{layout.containerd_state}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "{layout.containerd_socket}"

[ttrpc]
  address = "{layout.containerd_socket}.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{layout.run_dir / 'containerd' / 'opt'}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{pause_image}"
  enable_selinux = false
  # Root on these machines lacks CAP_SYS_RESOURCE, so no process may lower its oom_score_adj: the sandbox's -998
  # killed runc's init ("can't get final child's PID from pipe"). Adjustments below containerd's own are raised
  # to it instead (the setting rootless containerd uses for the same reason).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "{RUNC}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{CNI_BIN_DIR}"
    conf_dir = "{layout.cni_conf_dir}"
"""
    return _write(layout.conf_dir / "containerd.toml", text)


def write_cni_config(layout: ClusterLayout) -> Path:
    """One bridge network for the pods, the node address as their gateway; no masquerade (pods reach only the
    node and each other, as nothing beyond the machine may be reached)."""
    network = {
        "cniVersion": "1.0.0",
        "name": "scoring-pods",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                # The pods' default route: Service addresses (10.96.0.0/24) are reached through the node.
                "isDefaultGateway": True,
                "ipMasq": False,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": POD_SUBNET, "gateway": NODE_IP}]],
                    "dataDir": str(layout.cni_state_dir / "ipam"),
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    return _write(layout.cni_conf_dir / "10-scoring-pods.conflist", json.dumps(network, indent=2) + "\n")


def write_kubelet_config(layout: ClusterLayout, pki: Pki, ports: ClusterPorts) -> Path:
    """The KubeletConfiguration: cgroupfs (no systemd here), cgroup v1 allowed, webhook authn/authz through
    the API server, no DNS server (none runs; pods use addresses), image garbage collection off (the images were
    imported here and cannot be pulled again)."""
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": NODE_IP,
        "port": ports.kubelet,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": ports.kubelet_healthz,
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(pki.ca_cert)}},
        "authorization": {"mode": "Webhook"},
        "cgroupDriver": "cgroupfs",
        "failCgroupV1": False,
        "failSwapOn": False,
        "containerRuntimeEndpoint": f"unix://{layout.containerd_socket}",
        "clusterDomain": CLUSTER_DOMAIN,
        "resolvConf": "/etc/resolv.conf",
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "evictionHard": {"memory.available": "200Mi", "nodefs.available": "1%", "imagefs.available": "1%"},
        "serializeImagePulls": False,
        "maxPods": 30,
        "registerNode": True,
        "protectKernelDefaults": False,
        "makeIPTablesUtilChains": False,
        "localStorageCapacityIsolation": True,
        "podPidsLimit": 4096,
        "containerLogMaxSize": "20Mi",
        "podLogsDir": str(layout.run_dir / "pod-logs"),
    }
    return _write(layout.conf_dir / "kubelet.yaml", yaml.safe_dump(config, sort_keys=True))


def write_audit_policy(layout: ClusterLayout) -> Path:
    """The API server's audit policy: what each service account asked (user, verb, object, answer), nothing else;
    the tests read it to hold a job's Role against the calls its steps really made."""
    policy = {
        "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
        "omitStages": ["RequestReceived", "ResponseStarted"],
        "rules": [{"level": "Metadata", "userGroups": ["system:serviceaccounts"]}, {"level": "None"}],
    }
    return _write(layout.audit_policy, yaml.safe_dump(policy, sort_keys=True))


def _write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path
