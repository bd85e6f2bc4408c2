"""`python -m demo --cluster`: the demo job's dates through Argo's own controller on the cluster built here, each
step a pod of the project image (the local stack stays where it is; pods reach it at the node address)."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import yaml

from argo_toolset.cluster.layout import NODE_IP
from generator.project_cluster import cluster_settings


def cluster_conf(demo_conf: Path, out_dir: Path, endpoints) -> Path:
    """A copy of the demo's conf/ whose defaults name the stack at the node address and the node's image."""
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.copytree(demo_conf, out_dir)
    defaults_path = out_dir / "defaults.yaml"
    defaults = yaml.safe_load(defaults_path.read_text())
    metastore_port, hive_port, mlflow_port = endpoints.service_ports()
    defaults["image"] = cluster_settings().node_project_image
    defaults["hive"].update(host=NODE_IP, port=hive_port, metastore_uri=f"thrift://{NODE_IP}:{metastore_port}")
    defaults["mlflow"]["tracking_uri"] = f"http://{NODE_IP}:{mlflow_port}"
    header = "# The demo defaults as pods of the loopback cluster reach the stack (demo/cluster_run.py)\n"
    defaults_path.write_text(header + yaml.safe_dump(defaults, sort_keys=False))
    return out_dir


def run_on_cluster(workflow_file: Path, job: str, dates: list[str], cluster_dir: Path, stack_dir: Path,
                   endpoints) -> bool:
    """Starts the cluster (reaching the stack), then submits the job for each date and waits; True when all
    succeeded."""
    from argo_toolset.cluster.argo_server import ArgoServer
    from argo_toolset.cluster.cluster import Cluster
    from argo_toolset.cluster.stack_access import StackAccess
    from argo_toolset.cluster.submission import apply_plan, plan_submission, submit_when_visible, watch

    cluster = Cluster(cluster_dir, cluster_settings(), echo=click.echo)
    click.echo(f"    kubeconfig: {cluster.up(StackAccess(endpoints.service_ports(), endpoints.warehouse_dir))}")
    api, server = cluster.api(), ArgoServer(cluster.argo_server_url())
    documents = [doc for doc in yaml.safe_load_all(workflow_file.read_text()) if doc]
    for day in dates:
        plan = plan_submission(documents, workflow_file, job, {"ds": day}, None)
        apply_plan(api, plan, cluster.prepare_namespace)
        workflow = submit_when_visible(server, plan)
        name = workflow["metadata"]["name"]
        click.echo(f"    ds={day}: Workflow {plan.namespace}/{name} submitted through the Argo Server")
        phase = (watch(server, plan.namespace, name, click.echo).get("status") or {}).get("phase")
        click.echo(f"    ds={day}: {phase}")
        if phase != "Succeeded":
            return False
    return True
