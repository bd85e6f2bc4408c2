"""`generate-workflow cluster up|status|down`: the single-node Kubernetes cluster with Argo, built here."""

from __future__ import annotations

from pathlib import Path

import click

from generator.errors import UserError

_run_dir = click.option(
    "--run-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".run/cluster"), show_default=True,
    help="Folder holding the cluster's binaries, certificates, etcd data, images, logs and PIDs.",
)


@click.group()
def cluster() -> None:
    """Start, stop and inspect a single-node Kubernetes cluster with Argo Workflows on this machine.

    Built from pinned Go modules (tools/cluster): etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
    kubelet (with Debian's containerd) and kube-proxy, Argo's workflow-controller and Argo Server. Needs root.
    For tests and the demo only: see docs/CLUSTER.md.
    """


@cluster.command()
@_run_dir
@click.option("--stack-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".run/stack"),
              show_default=True, help="The local stack's run dir (as `stack --run-dir`): pods reach its services at "
                                      "the node address 10.244.0.1 and find its warehouse mounted at its own path.")
@click.option("--no-stack", is_flag=True, help="Pods reach no local stack.")
def up(run_dir: Path, stack_dir: Path, no_stack: bool) -> None:
    """Build what is missing and start every part; prints the admin kubeconfig's path on its last line."""
    from argo_toolset.cluster.cluster import Cluster, ClusterError
    from argo_toolset.cluster.gobuild import GoBuildError
    from argo_toolset.cluster.images import ImageError
    from argo_toolset.cluster.kubeapi import KubeApiError
    from argo_toolset.cluster.stack_access import StackAccess
    from generator.localstack import LocalStack
    from generator.project_cluster import cluster_settings

    stack = None
    if not no_stack:
        endpoints = LocalStack(stack_dir).endpoints()
        stack = StackAccess(endpoints.service_ports(), endpoints.warehouse_dir)
    try:
        kubeconfig = Cluster(run_dir, cluster_settings(), echo=click.echo).up(stack)
    except (ClusterError, GoBuildError, ImageError, KubeApiError) as error:
        raise UserError(f"cluster up: {error}") from None
    click.echo(str(kubeconfig))


@cluster.command()
@_run_dir
def status(run_dir: Path) -> None:
    """Print each part with its address, PID and health; exit 1 when any is down."""
    from argo_toolset.cluster.cluster import Cluster
    from generator.project_cluster import cluster_settings

    statuses = Cluster(run_dir, cluster_settings()).status()
    for part in statuses:
        click.echo(f"{part.name:<24} {part.address:<40} pid {part.pid if part.pid else '-'!s:<8} "
                   f"{'up' if part.up else 'down'}")
    if not all(part.up for part in statuses):
        raise SystemExit(1)


@cluster.command()
@_run_dir
def down(run_dir: Path) -> None:
    """Stop every part and remove its pods, mounts, network and firewall rules (data and images stay)."""
    from argo_toolset.cluster.cluster import Cluster
    from generator.project_cluster import cluster_settings

    Cluster(run_dir, cluster_settings(), echo=click.echo).down()
