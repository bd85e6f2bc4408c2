"""`generate-workflow submit`: a generated template onto the cluster through the Argo Server, as the UI submits it."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.run_local import _documents, _pairs, parameter_option, template_option

# Argo names a step's pod after its template; the node it runs is in this annotation of the pod.
NODE_ID_ANNOTATION = "workflows.argoproj.io/node-id"
EXIT_FAILED = 1
EXIT_ERROR = 2  # the Workflow ended in Error, or the request was refused before anything was applied


class Refused(click.ClickException):
    """A request `submit` refuses before applying anything (exit 2)."""

    exit_code = EXIT_ERROR


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@template_option("NAME or KIND/NAME of the WorkflowTemplate or CronWorkflow to submit (default: the first "
                 "WorkflowTemplate).")
@parameter_option
@click.option("--namespace", metavar="NS", help="Namespace to apply and submit into (default: the template's).")
@click.option("--wait", is_flag=True, help="Follow the Workflow to its end; exit 0 Succeeded, 1 Failed, 2 Error.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".run/cluster"),
              show_default=True, help="The cluster's run dir (as `cluster --run-dir`).")
def submit(source: Path, template_name: str | None, parameters: tuple[str, ...], namespace: str | None, wait: bool,
           run_dir: Path) -> None:
    """Apply SOURCE's templates and the job's RBAC (`<job>.rbac.yaml`) into a namespace under the "restricted" Pod
    Security Standard, then submit a Workflow from --template through the Argo Server.

    SOURCE is a workflows/*.yaml file (or a job config, rendered first), as for run-local. Everything is checked
    before anything is applied: a template the file lacks, a parameter it does not declare or a required one left
    out, or a cluster that is down exits 2 naming the problem.
    """
    from argo_toolset.cluster.argo_server import ArgoServer, ArgoServerError
    from argo_toolset.cluster.cluster import Cluster, ClusterError
    from argo_toolset.cluster.kubeapi import KubeApiError
    from argo_toolset.cluster.submission import SubmitRefused, apply_plan, plan_submission, submit_when_visible, watch
    from generator.project_cluster import cluster_settings

    try:
        plan = plan_submission(_documents(source), source, template_name, _pairs(parameters, "-p/--parameter"),
                               namespace)
    except SubmitRefused as error:
        raise Refused(str(error)) from None
    cluster = Cluster(run_dir, cluster_settings())
    server = ArgoServer(cluster.argo_server_url())
    try:
        api = cluster.api()
        server.version()
        api.request("GET", "/version")
    except (ClusterError, ArgoServerError, KubeApiError) as error:
        raise Refused(f"the cluster of {run_dir} is not reachable: {error}; start it with "
                      "`generate-workflow cluster up`") from None
    try:
        apply_plan(api, plan, cluster.prepare_namespace)
        workflow = submit_when_visible(server, plan)
    except (KubeApiError, ArgoServerError) as error:
        raise Refused(f"submit {plan.kind}/{plan.name} into {plan.namespace}: {error}") from None
    name = workflow["metadata"]["name"]
    click.echo(f"submitted Workflow {plan.namespace}/{name} from {plan.kind}/{plan.name}")
    if not wait:
        return
    finished = watch(server, plan.namespace, name, click.echo)
    phase = (finished.get("status") or {}).get("phase")
    message = (finished.get("status") or {}).get("message") or ""
    click.echo(f"Workflow {name}: {phase}{f' ({message})' if message else ''}")
    if phase == "Succeeded":
        return
    pods = {pod["metadata"].get("annotations", {}).get(NODE_ID_ANNOTATION): pod["metadata"]["name"]
            for pod in api.list("Pod", plan.namespace, f"workflows.argoproj.io/workflow={name}")}
    for node in ((finished.get("status") or {}).get("nodes") or {}).values():
        if node.get("type") == "Pod" and node.get("phase") in ("Failed", "Error"):
            try:
                log = server.pod_log(plan.namespace, name, pods.get(node["id"], node["id"]))
                tail = "\n".join(log.splitlines()[-20:])
            except ArgoServerError as error:
                tail = f"(log not readable: {error})"
            click.echo(f"--- {node.get('displayName')} ({node['phase']}): end of its log\n{tail}", err=True)
    raise SystemExit(EXIT_FAILED if phase == "Failed" else EXIT_ERROR)
