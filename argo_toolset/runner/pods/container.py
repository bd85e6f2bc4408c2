"""Run a container or script template as a podman container of the image, the way the kubelet runs its pod.

What the container gets, and nothing else:
- command/args exactly as the spec has them (command replaces the image's ENTRYPOINT); a script's source is
  mounted read-only at /argo/staging/script and appended to the command, as Argo's executor does;
- only the env the spec declares (`value`, `secretKeyRef` from ARGO_SECRET_*, `fieldRef`), then `-e` overrides,
  on top of the image's own ENV; secret values reach podman through its environment, never its argv;
- each emptyDir volume as a fresh folder of the node (mode 0777, as the kubelet makes it; group fsGroup),
  bind-mounted at every mountPath (`readOnly` honoured); input artifacts written at their paths inside those
  volumes (or bind-mounted as single files elsewhere); output parameters read from those folders afterwards;
- the securityContext and limits of pods/rules.py; the host network; the stack's warehouse at its own path.
A step killed by its memory limit ends as Argo reports it: `OOMKilled (exit code 137)`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.pods.in_image import InImage
from argo_toolset.runner.pods.local import (
    apply_outcome,
    collect_output_parameters,
    pod_fields,
    report_failure_tail,
    resolve_pod_template,
    step_timeout,
)
from argo_toolset.runner.pods.process import run_process
from argo_toolset.runner.pods.rules import pod_security_context, resource_options, security_options
from argo_toolset.runner.pods.secrets import container_env
from argo_toolset.runner.results import NodeResult

SCRIPT_PATH = "/argo/staging/script"


class VolumeLayout:
    """Where each container path of one step lives on the host: its emptyDir folders and mount points."""

    def __init__(self, folder: Path, mounts: list[dict], fs_group: int | None):
        self.folder = folder
        self.mounts = sorted(mounts, key=lambda mount: len(mount["mountPath"]), reverse=True)
        for mount in mounts:
            volume = self.volume_folder(mount["name"])
            if not volume.exists():
                volume.mkdir(parents=True)
                if fs_group is not None:
                    os.chown(volume, -1, fs_group)
                volume.chmod(0o2777 if fs_group is not None else 0o777)

    def volume_folder(self, name: str) -> Path:
        return self.folder / "volumes" / name

    def host_path(self, container_path: str) -> Path | None:
        """The host file behind a container path inside a volume mount; None when it is not in one."""
        for mount in self.mounts:
            root = mount["mountPath"].rstrip("/")
            if container_path == root or container_path.startswith(root + "/"):
                return self.volume_folder(mount["name"]) / container_path[len(root):].lstrip("/")
        return None

    def options(self) -> list[str]:
        return [word for mount in self.mounts for word in
                ("--volume", f"{self.volume_folder(mount['name'])}:{mount['mountPath']}"
                 f"{':ro' if mount.get('readOnly') else ''}")]


def _container_name(ctx: RunContext, node: NodeResult) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]+", "-", f"{ctx.workflow_name}-{node.folder.name}")[:120]


def _place_artifacts(resolved: dict, artifacts: dict[str, str], layout: VolumeLayout) -> list[str]:
    """Write raw input artifacts at their paths; the mount options for those outside every volume."""
    options: list[str] = []
    for declared in (resolved.get("inputs") or {}).get("artifacts") or []:
        if declared["name"] not in artifacts:
            continue
        target = layout.host_path(declared["path"])
        if target is None:
            target = layout.folder / "artifacts" / declared["name"]
            options += ["--volume", f"{target}:{declared['path']}"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifacts[declared["name"]], encoding="utf-8")
        target.chmod(int(declared["mode"]) if "mode" in declared else 0o644)
    return options


def _oom_killed(name: str, folder: Path) -> bool:
    """Whether the kernel's OOM killer ended the container.

    podman 4.3 here reports State.OOMKilled false even then: its conmon (2.1.6, cgroup v1) sees the OOM event
    but writes its `oom` marker file into its own working directory, which is the folder `podman run` was
    started in (the node folder), where podman does not look. Measured: the file appears for a container
    killed at its --memory limit, and not for one that exits or is killed otherwise.
    """
    inspected = subprocess.run(podman("inspect", "--format", "{{.State.OOMKilled}}", name), capture_output=True,
                               text=True, check=False)
    return inspected.stdout.strip() == "true" or (folder / "oom").exists()


def run_pod_in_image(ctx: RunContext, settings: InImage, template: dict, kind: str, variables: dict[str, str],
                     artifacts: dict[str, str], node: NodeResult) -> None:
    """Run one container/script template as a container of the image and collect its outputs into `node`."""
    folder = ctx.node_folder(node)
    node.folder = folder
    resolved = resolve_pod_template(template, variables)
    container = resolved[kind]
    pod_context = pod_security_context(resolved, ctx.workflow.spec)
    layout = VolumeLayout(folder, container.get("volumeMounts") or [], pod_context.get("fsGroup"))
    options = layout.options() + _place_artifacts(resolved, artifacts, layout)
    command = [str(word) for word in container.get("command") or []]
    if kind == "script":
        script = folder / "script"
        script.write_text(str(container["source"]), encoding="utf-8")
        script.chmod(0o755)
        options += ["--volume", f"{script}:{SCRIPT_PATH}:ro"]
        command.append(SCRIPT_PATH)
    env = container_env(container.get("env") or [], os.environ, lambda value: value, pod_fields(ctx, node))
    env.update(ctx.env_overrides)
    # Values travel in podman's own environment (`--env NAME` copies one): no secret on a command line.
    podman_env = {**{key: value for key, value in os.environ.items() if key not in env}, **env}
    name = _container_name(ctx, node)
    argv = podman("run", "--name", name, "--pull", "never", "--replace", *NETWORK_OPTIONS, *ULIMIT_OPTIONS,
                  *security_options(pod_context, container.get("securityContext") or {}),
                  *resource_options(container.get("resources") or {}),
                  "--volume", f"{settings.warehouse}:{settings.warehouse}", *options,
                  *[word for key in env for word in ("--env", key)],
                  *(["--workdir", container["workingDir"]] if container.get("workingDir") else []),
                  *(["--entrypoint", json.dumps(command)] if command else []),
                  settings.image, *[str(word) for word in container.get("args") or []])
    (folder / "podman-run.txt").write_text(shlex.join(argv) + "\n", encoding="utf-8")
    timeout, timeout_message = step_timeout(ctx, resolved)
    log_path = folder / "main.log"
    try:
        with ctx.pod_slot():
            node.started_at = now()
            ctx.reporter.started(node)
            outcome = run_process(argv, podman_env, folder, log_path, lambda line: ctx.reporter.log(node, line),
                                  timeout, ctx.registry)
        oom_killed = _oom_killed(name, folder)
    finally:
        subprocess.run(podman("rm", "--force", "--time", "0", name), capture_output=True, check=False)
    apply_outcome(node, outcome, timeout_message)
    if oom_killed and not (outcome.timed_out or outcome.cancelled):
        node.message = f"OOMKilled (exit code {outcome.exit_code})"
    collect_output_parameters((resolved.get("outputs") or {}).get("parameters") or [],
                              lambda path: layout.host_path(path) or folder / "missing", node)
    report_failure_tail(ctx, node, log_path)
