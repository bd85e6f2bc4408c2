"""`generate-workflow run-local`: run a generated workflow on this machine, each step as a process or a container."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from argo_toolset.core.documents import WORKFLOW_KINDS
from argo_toolset.runner import load_documents, run_workflow
from argo_toolset.runner.checks.help_text import support_help
from argo_toolset.runner.checks.services import LoopbackServices
from argo_toolset.runner.pods.in_image import in_image
from contract import step_env
from generator.errors import UserError
from generator.image.podman import PROJECT_IMAGE
from generator.localstack import LocalStack
from generator.localstack.state import STATE_FILE, read_state

# The project's services, titled by the step contract's env names, and how to start them here.
STEP_SERVICES = LoopbackServices(
    titles={"HIVE": "HiveServer2 (Spark Thrift Server)", step_env.HIVE_METASTORE_URI: "Hive metastore",
            step_env.MLFLOW_TRACKING_URI: "MLflow tracking server"},
    start_hint="start the local stack with `generate-workflow stack up` (its ports must match the config), "
               "or point the steps at running services with --env NAME=VALUE")
IMAGE_BUILD_HINT = f"build it with `make image` ({PROJECT_IMAGE})"
HELP = """Run a generated workflow locally, the way Argo would run it (no Kubernetes needed).

SOURCE is a workflows file (multi-document YAML, e.g. workflows/churn-daily.yaml) or a job config
(conf/<job>.yaml), which is rendered first with the generator and then run. --template picks the
document by metadata.name (or generateName), or KIND/NAME (default: the first WorkflowTemplate or
Workflow); a CronWorkflow (e.g. --template CronWorkflow/churn-daily) runs its workflowSpec with
workflow.scheduledTime = now in its timezone, or the time given by --scheduled-time (RFC 3339, as
`argo submit --from cronwf/NAME --scheduled-time` takes it); the summary's Parameters line shows the
ds it resolved to. templateRef and workflowTemplateRef resolve among the documents of the same file.

\b
Examples:
  generate-workflow run-local workflows/churn-daily.yaml -p ds=2024-05-01
  generate-workflow run-local workflows/churn-daily.yaml --template churn-daily-retro \\
      -p start=2024-05-01 -p end=2024-05-03
  generate-workflow run-local conf/churn-daily.yaml -p ds=2024-05-01 -e HIVE_HOST=127.0.0.1
  generate-workflow run-local workflows/churn-daily.yaml --template CronWorkflow/churn-daily \\
      --scheduled-time 2024-03-31T03:00:00+03:00

\b
Checks before anything runs, in this order: the linter's rules over every document given (as
`generate-workflow lint`, with Argo's CRD schemas when --crd-dir or ARGO_CRD_DIR names them); then
what run-local implements, from the table printed under SUPPORT below; then the Secret stand-ins and
that the loopback services the steps' env names are listening.

\b
Each step runs as a local process in the project's own environment (the image is ignored):
`python` as the first word runs this interpreter, so `python -m jobs.score` uses this venv; `sh -c` runs
as is. Each node gets a folder <work dir>/nodes/NNN-<node>/; /tmp, volumeMount paths, input artifact
paths and output parameter paths are mapped to <node folder>/root/<path> wherever they start a word in
command, args, script source, env values and workingDir (so /tmp/outputs/x is
<node folder>/root/tmp/outputs/x). The process runs in its node folder with TMPDIR = the mapped /tmp.
Its output is streamed prefixed by the node name and kept in <node folder>/main.log; the run ends with
a summary like `argo get` and <work dir>/result.json. Exit code 0 when the workflow Succeeded, 1 otherwise.

\b
Secrets: a secretKeyRef {name: S, key: K} reads the local env variable ARGO_SECRET_<S>_<K>, upper-cased,
non-alphanumerics turned into `_` (hive-credentials/password -> ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD).
Unset and optional: the step's variable stays unset; unset and not optional: the run refuses to start
and names the variable to export. Values are never read from files in the repo.

\b
Mutexes: each substituted mutex name is an OS file lock in --lock-dir, so two local runs of the same
job and ds on this machine run one after the other ("waiting for lock ..." is printed).

\b
IN-IMAGE MODE (--in-image IMAGE): each container step runs as `podman run` of IMAGE, as the kubelet
would run its pod: command/args exactly as written; only the env the spec declares (plus -e); the
pod's and container's securityContext (user/group, runAsNonRoot checked against the image's USER,
readOnlyRootFilesystem, allowPrivilegeEscalation, capabilities); emptyDir volumes as per-step folders
at their mountPaths, input artifacts placed and output parameters read there; memory/cpu limits (a
step over its memory limit ends OOMKilled) and activeDeadlineSeconds; the host network; the stack's
warehouse folder (from --run-dir) at its own path, the only host folder a step sees. Any pod field
it cannot honour is refused before anything runs, naming the field. Podman settings:
argo_toolset/podman.py.

SUPPORT (written from the tables the checks use):

"""


def _stack_warehouse(stack_run_dir: Path) -> Path:
    """The warehouse of the local stack started from `stack_run_dir`: the one folder --in-image mounts."""
    if not read_state(stack_run_dir.resolve()):
        raise UserError(f"--in-image: no local stack recorded in {stack_run_dir / STATE_FILE}; start one with "
                        f"`generate-workflow stack up --run-dir {stack_run_dir}` or pass its --stack-dir")
    return LocalStack(stack_run_dir).endpoints().warehouse_dir


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, separator, text = value.partition("=")
        if not separator or not name:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=option)
        pairs[name] = text
    return pairs


def template_option(help_text: str):
    """--template NAME, as run-local and submit take it."""
    return click.option("--template", "template_name", metavar="NAME", help=help_text)


parameter_option = click.option("-p", "--parameter", "parameters", multiple=True, metavar="NAME=VALUE",
                                help="A workflow argument (repeatable), as `argo submit -p`.")


def _documents(source: Path) -> list[dict]:
    """The workflow documents of a workflows file, or those the generator renders from a job config."""
    documents = load_documents(source)
    if any(isinstance(doc, dict) and doc.get("kind") in WORKFLOW_KINDS for doc in documents):
        return documents
    try:
        from generator.specs import render_job  # lazy: only a job config needs the generator
    except ImportError as error:
        raise UserError(f"{source}: looks like a job config, but the generator cannot render it "
                        f"({error}); pass a workflows/*.yaml file instead") from error
    try:
        return [doc for doc in yaml.safe_load_all(render_job(source)) if doc is not None]
    except yaml.YAMLError as error:
        raise UserError(f"{source}: the rendered workflow is not valid YAML: {error}") from error


@click.command("run-local", help=HELP + support_help())
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@template_option("metadata.name (or generateName) or KIND/NAME of the document to run "
                 "(default: first WorkflowTemplate/Workflow).")
@parameter_option
@click.option("-e", "--env", "env", multiple=True, metavar="NAME=VALUE",
              help="Set or override an env variable in every step (repeatable), e.g. a dev HIVE_HOST.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where node folders and logs go (default: .run/runs/<workflow name>).")
@click.option("--lock-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".run/locks"),
              show_default=True, help="Folder of mutex lock files; runs sharing it serialize on mutexes.")
@click.option("--backoff-scale", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Multiply retry backoff delays (0 retries at once, 0.1 waits a tenth).")
@click.option("--scheduled-time", metavar="RFC3339",
              help="workflow.scheduledTime, e.g. 2024-03-31T00:30:00+02:00 (as `argo submit --scheduled-time`).")
@click.option("--quiet-logs", is_flag=True,
              help="Do not stream step output; print the last 20 lines of a failed step's log instead.")
@click.option("--in-image", "image", metavar="IMAGE",
              help="Run every container step as a podman container of IMAGE (e.g. argo-batch-scoring:local, "
                   "`make image`) with its pod's rules; see IN-IMAGE MODE above.")
@click.option("--run-dir", "stack_run_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".run/stack"), show_default=True,
              help="With --in-image: the local stack's run dir (as `stack --run-dir`); its warehouse is mounted.")
@click.option("--crd-dir", type=click.Path(path_type=Path, file_okay=False), envvar="ARGO_CRD_DIR", show_envvar=True,
              help="Argo's CRD files for the lint pre-check's schema stage, as `lint --crd-dir`.")
def run_local(source: Path, template_name: str | None, parameters: tuple[str, ...], env: tuple[str, ...],
              work_dir: Path | None, lock_dir: Path, backoff_scale: float, scheduled_time: str | None,
              quiet_logs: bool, image: str | None, stack_run_dir: Path, crd_dir: Path | None) -> None:
    result = run_workflow(
        _documents(source), template_name=template_name, parameters=_pairs(parameters, "-p/--parameter"),
        env_overrides=_pairs(env, "-e/--env"), work_dir=work_dir, lock_dir=lock_dir,
        backoff_scale=backoff_scale, echo=click.echo, stream_logs=not quiet_logs, source=str(source),
        scheduled_time=scheduled_time, crd_dir=crd_dir, services=STEP_SERVICES,
        in_image=in_image(image, lambda: _stack_warehouse(stack_run_dir), IMAGE_BUILD_HINT) if image else None)
    if not result.succeeded:
        raise SystemExit(1)
