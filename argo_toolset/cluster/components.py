"""The cluster's processes, in start order: each one's command line, log and readiness check."""

from __future__ import annotations

import os
import socket
import ssl
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from argo_toolset.cluster.config_files import api_server_url
from argo_toolset.cluster.layout import (
    NODE_IP,
    NODE_NAME,
    POD_SUBNET,
    SERVICE_SUBNET,
    ClusterLayout,
    ClusterPorts,
)
from argo_toolset.cluster.pki import ADMIN, API_SERVER_KUBELET_CLIENT, Pki

# Names, also the keys of the state file and the log files.
CONTAINERD = "containerd"
ETCD = "etcd"
API_SERVER = "kube-apiserver"
CONTROLLER_MANAGER = "kube-controller-manager"
SCHEDULER = "kube-scheduler"
KUBELET = "kubelet"
KUBE_PROXY = "kube-proxy"
WORKFLOW_CONTROLLER = "workflow-controller"
ARGO_SERVER = "argo-server"
# The service accounts Argo's controller and server run as (Argo's own manifests bind their roles to them).
ARGO_NAMESPACE = "argo"
# How long `down` lets each part stop on SIGTERM before SIGKILL. Short for the parts that keep no state of their own
# (it is all in etcd): when measured, kube-proxy, the controller manager and the Argo Server each let a 20 s grace run
# out before exiting, a minute of every `cluster down` (docs/CLUSTER.md).
STOP_GRACE_SECONDS = 20.0
STATELESS_STOP_GRACE_SECONDS = 3.0
STATELESS = frozenset({CONTROLLER_MANAGER, SCHEDULER, KUBE_PROXY, WORKFLOW_CONTROLLER, ARGO_SERVER})


def stop_grace_seconds(name: str) -> float:
    """The SIGTERM grace of the part `name` at `down`."""
    return STATELESS_STOP_GRACE_SECONDS if name in STATELESS else STOP_GRACE_SECONDS


WORKFLOW_CONTROLLER_ACCOUNT = "argo"
ARGO_SERVER_ACCOUNT = "argo-server"


@dataclass(frozen=True)
class Component:
    """One process of the cluster.

    Attributes:
        name: one of the names above.
        command: argv.
        address: what `cluster status` prints.
        is_ready: True once it serves.
        env: extra environment.
        ready_timeout: seconds to wait for readiness.
    """

    name: str
    command: list[str]
    address: str
    is_ready: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0


def is_local_address(host: str) -> bool:
    """True when `host` is an address of this machine (binding to it succeeds). Once the pods' bridge is gone the
    node address routes to the default gateway: nothing may be sent there, so callers ask this first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, 0))
        except OSError:
            return False
    return True


def _answers(url: str, context: ssl.SSLContext | None = None) -> Callable[[], bool]:
    def check() -> bool:
        if not is_local_address(urllib.parse.urlsplit(url).hostname or ""):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 (our own URL)
                return response.status == 200
        except OSError:
            return False
    return check


def admin_tls(pki: Pki) -> ssl.SSLContext:
    """TLS context that trusts the cluster CA and presents the admin client certificate."""
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(str(pki.client_cert(ADMIN)), str(pki.client_key(ADMIN)))
    return context


def control_plane(layout: ClusterLayout, pki: Pki, ports: ClusterPorts) -> list[Component]:
    """containerd, etcd, the API server, controller manager, scheduler, kubelet and kube-proxy, in start order."""
    platform = str(layout.platform)
    api = api_server_url(ports)
    etcd_url = f"http://127.0.0.1:{ports.etcd_client}"
    return [
        Component(CONTAINERD, ["containerd", "--config", str(layout.conf_dir / "containerd.toml")],
                  str(layout.containerd_socket), lambda: layout.containerd_socket.exists()),
        Component(ETCD, [platform, "etcd", "--name", "scoring", "--data-dir", str(layout.etcd_dir),
                         "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
                         "--listen-peer-urls", f"http://127.0.0.1:{ports.etcd_peer}",
                         "--initial-advertise-peer-urls", f"http://127.0.0.1:{ports.etcd_peer}",
                         "--initial-cluster", f"scoring=http://127.0.0.1:{ports.etcd_peer}",
                         # A throwaway test cluster: no fsync per write (etcd's own flag for this), small quota.
                         "--unsafe-no-fsync", "--quota-backend-bytes", str(2 * 1024**3),
                         "--log-level", "warn"],
                  etcd_url, _answers(f"{etcd_url}/health")),
        Component(API_SERVER, [
            platform, "kube-apiserver",
            "--etcd-servers", etcd_url,
            "--bind-address", NODE_IP, "--advertise-address", NODE_IP, "--secure-port", str(ports.api_server),
            "--tls-cert-file", str(pki.serving_cert), "--tls-private-key-file", str(pki.serving_key),
            "--client-ca-file", str(pki.ca_cert),
            "--kubelet-client-certificate", str(pki.client_cert(API_SERVER_KUBELET_CLIENT)),
            "--kubelet-client-key", str(pki.client_key(API_SERVER_KUBELET_CLIENT)),
            "--kubelet-preferred-address-types", "InternalIP",
            "--authorization-mode", "Node,RBAC",
            "--enable-admission-plugins", "NodeRestriction",
            "--service-cluster-ip-range", SERVICE_SUBNET,
            "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-account-key-file", str(pki.service_account_pub),
            "--service-account-signing-key-file", str(pki.service_account_key),
            "--api-audiences", "https://kubernetes.default.svc",
            "--audit-policy-file", str(layout.audit_policy),
            "--audit-log-path", str(layout.audit_log), "--audit-log-maxsize", "200",
            "--profiling=false", "--v", "1",
        ], api, _answers(f"{api}/readyz", admin_tls(pki)), ready_timeout=180.0),
        Component(CONTROLLER_MANAGER, [
            platform, "kube-controller-manager",
            *_delegated_kubeconfig(layout, "controller-manager"),
            "--bind-address", "127.0.0.1", "--secure-port", str(ports.controller_manager),
            "--leader-elect=false",
            "--use-service-account-credentials=true",
            "--service-account-private-key-file", str(pki.service_account_key),
            "--root-ca-file", str(pki.ca_cert),
            "--cluster-signing-cert-file", str(pki.ca_cert), "--cluster-signing-key-file", str(pki.ca_key),
            "--service-cluster-ip-range", SERVICE_SUBNET,
            "--allocate-node-cidrs=false",
            "--profiling=false", "--v", "1",
        ], f"127.0.0.1:{ports.controller_manager}",
            _answers(f"https://127.0.0.1:{ports.controller_manager}/healthz", _insecure())),
        Component(SCHEDULER, [
            platform, "kube-scheduler",
            *_delegated_kubeconfig(layout, "scheduler"),
            "--bind-address", "127.0.0.1", "--secure-port", str(ports.scheduler),
            "--leader-elect=false", "--profiling=false", "--v", "1",
        ], f"127.0.0.1:{ports.scheduler}", _answers(f"https://127.0.0.1:{ports.scheduler}/healthz", _insecure())),
        Component(KUBELET, [
            platform, "kubelet",
            "--config", str(layout.conf_dir / "kubelet.yaml"),
            "--kubeconfig", str(layout.kubeconfig("kubelet")),
            "--root-dir", str(layout.kubelet_dir),
            "--hostname-override", NODE_NAME, "--node-ip", NODE_IP,
            "--v", "1",
        ], f"{NODE_IP}:{ports.kubelet}", _answers(f"http://127.0.0.1:{ports.kubelet_healthz}/healthz"),
            env={"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}),
        Component(KUBE_PROXY, [
            platform, "kube-proxy",
            "--kubeconfig", str(layout.kubeconfig("kube-proxy")),
            "--hostname-override", NODE_NAME,
            "--cluster-cidr", POD_SUBNET,
            "--proxy-mode", "iptables",
            "--bind-address", "127.0.0.1",
            "--healthz-bind-address", f"127.0.0.1:{ports.proxy_healthz}",
            "--metrics-bind-address", f"127.0.0.1:{ports.proxy_metrics}",
            # Leave the kernel's conntrack table size alone (a shared machine).
            "--conntrack-max-per-core", "0",
            "--v", "1",
        ], f"127.0.0.1:{ports.proxy_healthz}", _answers(f"http://127.0.0.1:{ports.proxy_healthz}/healthz")),
    ]


def argo(layout: ClusterLayout, ports: ClusterPorts, executor_image: str) -> list[Component]:
    """Argo's workflow controller and server, each with its service account's kubeconfig (bootstrap.py); the
    controller gives every pod `executor_image` (Argo's init and wait containers)."""
    platform = str(layout.platform)
    return [
        Component(WORKFLOW_CONTROLLER, [
            platform, "workflow-controller",
            "--kubeconfig", str(layout.kubeconfig(WORKFLOW_CONTROLLER)),
            "--namespace", ARGO_NAMESPACE,
            "--executor-image", executor_image,
            "--executor-image-pull-policy", "Never",
            "--health-address", f"127.0.0.1:{ports.workflow_controller_healthz}",
        ], f"127.0.0.1:{ports.workflow_controller_healthz}",
            _answers(f"http://127.0.0.1:{ports.workflow_controller_healthz}/healthz"),
            env={"KUBECONFIG": str(layout.kubeconfig(WORKFLOW_CONTROLLER))}),
        Component(ARGO_SERVER, [
            platform, "argo", "server",
            "--kubeconfig", str(layout.kubeconfig(ARGO_SERVER)),
            "--namespace", ARGO_NAMESPACE,
            "--port", str(ports.argo_server),
            # Plain HTTP on the machine only (iptables keeps other hosts out, network.py); the UI's own login is
            # the server's identity, as Argo's quick start has it.
            "--secure=false", "--auth-mode", "server",
        ], f"http://127.0.0.1:{ports.argo_server}",
            _answers(f"http://127.0.0.1:{ports.argo_server}/api/v1/version"),
            env={"KUBECONFIG": str(layout.kubeconfig(ARGO_SERVER))}),
    ]


def _delegated_kubeconfig(layout: ClusterLayout, name: str) -> list[str]:
    """A control-plane program's kubeconfig, also for checking the callers of its own secure port."""
    kubeconfig = str(layout.kubeconfig(name))
    return ["--kubeconfig", kubeconfig, "--authentication-kubeconfig", kubeconfig,
            "--authorization-kubeconfig", kubeconfig]


def _insecure() -> ssl.SSLContext:
    # The controller manager's and scheduler's self-signed serving certificates: only /healthz is asked.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
