"""How pods reach the local stack as a cluster's pods reach outside services: the stack's ports at the node
address (forwarded by iptables to the services on 127.0.0.1), and its warehouse as a PersistentVolume mounted into
every step pod by the controller's workflow defaults, where a real cluster would mount or reach its HDFS or S3."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from argo_toolset.cluster.kubeapi import KubeApi, KubeApiError
from argo_toolset.cluster.layout import BRIDGE, NODE_IP

WAREHOUSE_VOLUME = "warehouse"
WAREHOUSE_CLAIM = "warehouse"
WAREHOUSE_SIZE = "100Gi"  # a hostPath volume enforces no size; the claim only has to fit the volume


@dataclass(frozen=True)
class StackAccess:
    """The local stack the pods reach: its ports (at NODE_IP) and its warehouse folder."""

    ports: tuple[int, ...]
    warehouse: Path


def _dnat_rule(port: int, comment: str) -> list[str]:
    return ["PREROUTING", "-i", BRIDGE, "-d", NODE_IP, "-p", "tcp", "--dport", str(port), "-m", "comment",
            "--comment", comment, "-j", "DNAT", "--to-destination", f"127.0.0.1:{port}"]


def forward_ports(ports: tuple[int, ...], comment: str) -> None:
    """Pods connecting to NODE_IP:port reach 127.0.0.1:port (the kernel routes to loopback from the bridge only
    with route_localnet on it); `comment` marks the rules as ours."""
    subprocess.run(["sysctl", "-q", "-w", f"net.ipv4.conf.{BRIDGE}.route_localnet=1"], check=True)
    for port in ports:
        rule = _dnat_rule(port, comment)
        if subprocess.run(["iptables", "-t", "nat", "-C", *rule], capture_output=True, check=False).returncode:
            subprocess.run(["iptables", "-t", "nat", "-A", *rule], capture_output=True, check=True)


def warehouse_pod_patch(warehouse: Path) -> str:
    """The podSpecPatch every step pod gets from the controller's workflow defaults: the warehouse claim at the
    warehouse's own path (the metastore records table locations as file:// URIs of that path)."""
    patch = {"volumes": [warehouse_volume()],
             "containers": [{"name": "main", "volumeMounts": [warehouse_mount(warehouse)]}]}
    return yaml.safe_dump(patch, sort_keys=True)


def warehouse_volume() -> dict:
    """The pod volume of the warehouse claim."""
    return {"name": WAREHOUSE_VOLUME, "persistentVolumeClaim": {"claimName": WAREHOUSE_CLAIM}}


def warehouse_mount(warehouse: Path) -> dict:
    """The container mount of that volume, at the warehouse's own path."""
    return {"name": WAREHOUSE_VOLUME, "mountPath": str(warehouse)}


def claim_warehouse(api: KubeApi, namespace: str, warehouse: Path, timeout: float = 60.0) -> None:
    """A PersistentVolume of the warehouse folder bound to the claim `warehouse` in `namespace`; waits for the bond."""
    volume_name = f"warehouse-{namespace}"
    api.apply({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": volume_name},
        "spec": {"capacity": {"storage": WAREHOUSE_SIZE}, "accessModes": ["ReadWriteMany"],
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "",
                 "hostPath": {"path": str(warehouse), "type": "Directory"},
                 "claimRef": {"namespace": namespace, "name": WAREHOUSE_CLAIM}},
    })
    api.apply({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": WAREHOUSE_CLAIM},
        "spec": {"accessModes": ["ReadWriteMany"], "storageClassName": "", "volumeName": volume_name,
                 "resources": {"requests": {"storage": WAREHOUSE_SIZE}}},
    }, namespace)
    # Bound before any pod names it: the scheduler parks a pod whose claim is unbound as unschedulable and may
    # take minutes to look at it again (seen here: a Workflow's first pods Pending that long).
    deadline = time.monotonic() + timeout
    while ((api.get("PersistentVolumeClaim", WAREHOUSE_CLAIM, namespace) or {}).get("status") or {}).get(
            "phase") != "Bound":
        if time.monotonic() > deadline:
            raise KubeApiError(0, f"claim {namespace}/{WAREHOUSE_CLAIM} not bound to {volume_name} within "
                                  f"{timeout:.0f}s (see kube-controller-manager's log)")
        time.sleep(0.5)
