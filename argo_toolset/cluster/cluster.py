"""Cluster: build, start, check and stop the single-node cluster whose whole state lives in one run dir."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from argo_toolset.cluster import network
from argo_toolset.cluster.bootstrap import install_argo, wait_node_ready
from argo_toolset.cluster.components import (
    CONTAINERD,
    KUBELET,
    Component,
    admin_tls,
    argo,
    control_plane,
    is_local_address,
    stop_grace_seconds,
)
from argo_toolset.cluster.config_files import (
    api_server_url,
    write_audit_policy,
    write_cni_config,
    write_containerd_config,
    write_kubeconfig,
    write_kubelet_config,
)
from argo_toolset.cluster.gobuild import argo_module_dir, build_programs
from argo_toolset.cluster.images import build_node_images, import_into_containerd
from argo_toolset.cluster.kubeapi import KubeApi
from argo_toolset.cluster.layout import NODE_IP, NODE_NAME, ClusterLayout, ClusterPorts
from argo_toolset.cluster.pki import ADMIN, CONTROLLER_MANAGER, KUBE_PROXY, SCHEDULER, Pki, ensure_pki
from argo_toolset.cluster.pki import KUBELET as KUBELET_ID
from argo_toolset.cluster.settings import ClusterSettings
from argo_toolset.cluster.stack_access import (
    StackAccess,
    claim_warehouse,
    forward_ports,
    warehouse_pod_patch,
)
from argo_toolset.podman import podman
from argo_toolset.processes import is_alive, log_tail, spawn, stop
from argo_toolset.runner.pods.in_image import open_to_pods

REQUIRED_TOOLS = {
    "containerd": "apt-get install containerd",
    "ctr": "apt-get install containerd",
    "runc": "apt-get install runc",
    "iptables": "apt-get install iptables",
    "ip": "apt-get install iproute2",
    "podman": "apt-get install podman",
}
CNI_BRIDGE_PLUGIN = Path("/usr/lib/cni/bridge")


class ClusterError(Exception):
    """The cluster cannot start or be reached; the message says which part and what to do."""


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    pid: int | None
    up: bool


class Cluster:
    """The cluster of `run_dir`.

    Args:
        run_dir: all certificates, data, logs and the state file (`cluster.json`).
        settings: the project's glue: its name, images, Go module, programs folder and controller setting.
        ports: ports for a fresh start.
        echo: receives progress lines.
    """

    def __init__(self, run_dir: Path, settings: ClusterSettings, ports: ClusterPorts | None = None,
                 echo: Callable[[str], None] | None = None):
        self.settings = settings
        self.layout = ClusterLayout(Path(run_dir).resolve(), settings.programs_dir)
        self.ports = ports or ClusterPorts()
        self._echo = echo or (lambda _line: None)

    # ---- queries ---------------------------------------------------------------------------------------
    def api(self) -> KubeApi:
        """The admin client of this cluster's API server."""
        if not self.layout.pki_dir.exists():
            raise ClusterError(f"no cluster in {self.layout.run_dir}: start one with `generate-workflow cluster up`")
        if not is_local_address(NODE_IP):
            raise ClusterError(f"the cluster of {self.layout.run_dir} is down (no node address {NODE_IP} on this "
                               "machine): start it with `generate-workflow cluster up`")
        return KubeApi(api_server_url(self.ports), admin_tls(self._pki()), self.settings.field_manager)

    def argo_server_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.argo_server}"

    def components(self) -> list[Component]:
        return (control_plane(self.layout, self._pki(), self.ports)
                + argo(self.layout, self.ports, self.settings.executor_image))

    def _pki(self) -> Pki:
        return ensure_pki(self.layout.pki_dir, self.settings.ca_name)

    def status(self) -> list[ComponentStatus]:
        records = self._read_state()
        statuses = []
        for component in self.components():
            pid = records.get(component.name)
            up = pid is not None and is_alive(pid, component.command[0]) and component.is_ready()
            statuses.append(ComponentStatus(component.name, component.address, pid, up))
        return statuses

    def is_up(self) -> bool:
        return all(status.up for status in self.status())

    # ---- up --------------------------------------------------------------------------------------------
    def up(self, stack: StackAccess | None = None) -> Path:
        """Builds what is missing, starts every part not running yet, and returns the admin kubeconfig's path.

        Args:
            stack: the local stack the pods reach (its ports at the node address, its warehouse mounted into
                every step pod); None: pods reach nothing outside the cluster.
        """
        self._check_host()
        started_at = time.monotonic()
        layout, ports, settings = self.layout, self.ports, self.settings
        for folder in (layout.logs_dir, layout.conf_dir, layout.etcd_dir, layout.kubelet_dir, layout.cni_state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._echo(f"building the cluster's programs ({settings.module_dir}; Go's build cache keeps them)")
        build_programs(settings.module_dir, layout.bin_dir, self._echo)
        pki = self._pki()
        write_kubeconfig(layout.admin_kubeconfig, pki, ADMIN, ports)
        for identity in (CONTROLLER_MANAGER, SCHEDULER, KUBELET_ID, KUBE_PROXY):
            write_kubeconfig(layout.kubeconfig(identity.file_stem), pki, identity, ports)
        write_containerd_config(layout, settings.pause_image)
        write_cni_config(layout)
        write_kubelet_config(layout, pki, ports)
        write_audit_policy(layout)
        network.ensure_bridge()
        self._echo("building the node's pause and executor images (podman)")
        build_node_images(layout, settings)

        records = self._read_state()
        self._write_state(records, stack)
        components = {c.name: c for c in self.components()}
        order = list(components)
        self._start_until(components, order[: order.index(CONTAINERD) + 1], records)
        import_into_containerd(layout, [settings.pause_image, settings.executor_image, settings.project_image],
                               self._echo)
        first_argo = order.index("workflow-controller")
        self._start_until(components, order[order.index(CONTAINERD) + 1: order.index("kube-controller-manager")],
                          records)
        api = self.api()
        install_argo(api, argo_module_dir(settings.module_dir), layout, pki, ports, settings.controller_config,
                     warehouse_pod_patch(stack.warehouse) if stack else None)
        self._start_until(components, order[order.index("kube-controller-manager"): first_argo], records)
        wait_node_ready(api, NODE_NAME)
        self._start_until(components, order[first_argo:], records)
        network.guard_port(ports.argo_server, settings.guard_comment)
        if stack:
            forward_ports(stack.ports, settings.nat_comment)
        self._echo(f"cluster up in {time.monotonic() - started_at:.0f}s: API server {api_server_url(ports)}, "
                   f"Argo Server {self.argo_server_url()}, images {settings.node_project_image}")
        return layout.admin_kubeconfig

    def _check_host(self) -> None:
        missing = sorted({hint for tool, hint in REQUIRED_TOOLS.items() if shutil.which(tool) is None})
        if not CNI_BRIDGE_PLUGIN.exists():
            missing.append("apt-get install containernetworking-plugins")
        if missing:
            raise ClusterError("the cluster needs: " + "; ".join(missing))
        image = self.settings.project_image
        if subprocess.run(podman("image", "exists", image), check=False).returncode != 0:
            raise ClusterError(f"the project image {image} is not in podman's storage: build it with "
                               f"`{self.settings.image_build_command}`")

    def _start_until(self, components: dict[str, Component], names: list[str], records: dict[str, int]) -> None:
        started = []
        for name in names:
            component = components[name]
            pid = records.get(name)
            if pid is not None and is_alive(pid, component.command[0]) and component.is_ready():
                continue
            env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                   **component.env}
            pid = spawn(component.command, env, self.layout.run_dir, self.layout.log(name))
            records[name] = pid
            self._write_state(records, self.stack())
            started.append(component)
            self._echo(f"{name}: starting (pid {pid}, log {self.layout.log(name)})")
            self._wait_ready(component, pid)

    def _wait_ready(self, component: Component, pid: int) -> None:
        started_at = time.monotonic()
        while not component.is_ready():
            if not is_alive(pid, component.command[0]):
                raise ClusterError(f"{component.name} exited while starting; last lines of "
                                   f"{self.layout.log(component.name)}:\n{log_tail(self.layout.log(component.name))}")
            if time.monotonic() - started_at > component.ready_timeout:
                raise ClusterError(f"{component.name} not ready within {component.ready_timeout:.0f}s; last lines of "
                                   f"{self.layout.log(component.name)}:\n{log_tail(self.layout.log(component.name))}")
            time.sleep(0.3)
        self._echo(f"{component.name}: up after {time.monotonic() - started_at:.1f}s")

    # ---- down ------------------------------------------------------------------------------------------
    def down(self) -> None:
        """Deletes every pod through the kubelet (so it tears down their networks and volumes), stops every
        process, and removes mounts, network namespaces, the bridge and iptables rules; data and images stay."""
        records = self._read_state()
        stack = self.stack()
        components = {c.name: c for c in self.components()}
        if KUBELET in records and is_alive(records[KUBELET], components[KUBELET].command[0]):
            self._delete_all_pods()
        for name in reversed(list(components)):
            pid = records.pop(name, None)
            if pid is not None:
                stop(pid, components[name].command[0], grace_seconds=stop_grace_seconds(name))
                self._echo(f"{name}: stopped")
        self._write_state(records, stack)
        self._kill_shims()
        # By their marks, not by ports: a session killed before its `down` left rules for ports no state records.
        left_rules = [rule for comment in (self.settings.guard_comment, self.settings.nat_comment)
                      for rule in network.remove_marked_rules(comment)]
        if self.layout.platform.exists():
            subprocess.run([str(self.layout.platform), "kube-proxy", "--cleanup"], capture_output=True, check=False)
        network.remove_kube_chains()
        network.unmount_all(self.layout)
        for namespace in network.pod_network_namespaces():
            subprocess.run(["ip", "netns", "delete", namespace.name], capture_output=True, check=False)
        network.remove_bridge()
        shutil.rmtree(self.layout.cni_state_dir, ignore_errors=True)
        if left_rules:
            raise ClusterError("these iptables rules of the cluster would not go; delete them with:\n"
                               + "\n".join(left_rules))

    def prepare_namespace(self, api: KubeApi, namespace: str) -> None:
        """What a job's namespace needs from this cluster: the claim of the stack's warehouse, when it has one."""
        stack = self.stack()
        if stack:
            stack.warehouse.mkdir(parents=True, exist_ok=True)
            # The step pods' uid writes partitions into folders the stack's services (root) made.
            open_to_pods(stack.warehouse)
            claim_warehouse(api, namespace, stack.warehouse)

    def stack(self) -> StackAccess | None:
        """The local stack this cluster was started to reach (from its state file)."""
        if not self.layout.state_file.exists():
            return None
        raw = json.loads(self.layout.state_file.read_text()).get("stack")
        return StackAccess(tuple(raw["ports"]), Path(raw["warehouse"])) if raw else None

    def _delete_all_pods(self, timeout: float = 60.0) -> None:
        try:
            api = self.api()
            for namespace in api.list("Namespace"):
                for pod in api.list("Pod", namespace["metadata"]["name"]):
                    api.request("DELETE", api.path("Pod", pod["metadata"]["name"], namespace["metadata"]["name"]),
                                {"gracePeriodSeconds": 0})
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and network.pod_network_namespaces():
                time.sleep(1)
        except Exception as error:  # noqa: BLE001 - down goes on and cleans up by force
            self._echo(f"deleting pods through the API failed ({error}); cleaning up by force")

    def _kill_shims(self) -> None:
        # containerd's shims outlive containerd on purpose (live restore); ours are found by our socket path.
        marker = str(self.layout.containerd_socket)
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "containerd-shim" in cmdline and marker in cmdline:
                subprocess.run(["kill", "-9", proc.name], capture_output=True, check=False)

    # ---- state -----------------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, int]:
        if not self.layout.state_file.exists():
            return {}
        return json.loads(self.layout.state_file.read_text()).get("pids", {})

    def _write_state(self, records: dict[str, int], stack: StackAccess | None = None) -> None:
        self.layout.state_file.parent.mkdir(parents=True, exist_ok=True)
        payload = {"pids": dict(sorted(records.items())), "ports": asdict(self.ports),
                   "stack": {"ports": list(stack.ports), "warehouse": str(stack.warehouse)} if stack else None}
        tmp = self.layout.state_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n")
        tmp.replace(self.layout.state_file)
