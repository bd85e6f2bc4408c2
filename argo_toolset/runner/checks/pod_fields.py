"""Refuse, before anything runs, every pod-spec field run-local --in-image cannot honour (rules: pods/rules.py)."""

from __future__ import annotations

from collections.abc import Iterator

from argo_toolset.runner.checks.features import Unsupported, UnsupportedFeatureError
from argo_toolset.runner.documents import RunnableWorkflow
from argo_toolset.runner.pods.in_image import InImage
from argo_toolset.runner.pods.rules import NOT_HONOURED, pod_security_context, resource_problems, security_problems

EMPTY_DIR_FIELDS: set[str] = set()  # medium: Memory and sizeLimit are not reproduced locally


def _pod_templates(workflow: RunnableWorkflow) -> Iterator[tuple[dict, str]]:
    """Every container/script template the run can reach, once each, with where it is."""
    for template, scope in workflow.reachable_templates():
        if "container" in template or "script" in template:
            yield template, f"{scope.label} template {template.get('name')!r}"


def _mounted(path: str, mounts: list[dict]) -> bool:
    return any(path == mount["mountPath"] or path.startswith(mount["mountPath"].rstrip("/") + "/")
               for mount in mounts)


def image_findings(workflow: RunnableWorkflow, settings: InImage) -> list[Unsupported]:
    """What in `workflow` run-local --in-image cannot honour, each naming its field."""
    spec = workflow.spec
    where_spec = f"{workflow.kind} {workflow.name} spec"
    findings = [Unsupported(f"{where_spec}.{key}", f"{what} cannot be honoured by run-local --in-image")
                for key, what in NOT_HONOURED["spec"].items() if key in spec]
    for index, volume in enumerate(spec.get("volumes") or []):
        extra = sorted(set(volume.get("emptyDir") or {}) - EMPTY_DIR_FIELDS)
        if extra:
            findings.append(Unsupported(f"{where_spec}.volumes[{index}].emptyDir",
                                    f"{', '.join(extra)} cannot be honoured by run-local --in-image"))
    for template, where in _pod_templates(workflow):
        kind = "container" if "container" in template else "script"
        container = template[kind]
        findings += [Unsupported(f"{where}.{key}", f"{what} cannot be honoured by run-local --in-image")
                     for key, what in NOT_HONOURED["template"].items() if key in template]
        findings += [Unsupported(f"{where}.{kind}.{key}", f"{what} cannot be honoured by run-local --in-image")
                     for key, what in NOT_HONOURED["container"].items() if key in container]
        pod_context = pod_security_context(template, spec)
        problems = security_problems(pod_context, container.get("securityContext") or {}, settings.user)
        problems += resource_problems(container.get("resources") or {})
        findings += [Unsupported(f"{where}.{field.format(container=kind)}", problem) for field, problem in problems]
        mounts = container.get("volumeMounts") or []
        for index, parameter in enumerate((template.get("outputs") or {}).get("parameters") or []):
            path = (parameter.get("valueFrom") or {}).get("path", "")
            if path and not _mounted(path, mounts):
                findings.append(Unsupported(f"{where}.outputs.parameters[{index}].valueFrom.path",
                                        f"{path} is on the container's own filesystem; run-local --in-image "
                                        "reads output parameters from the step's volumes only"))
    return findings


def check_image_supported(workflow: RunnableWorkflow, settings: InImage) -> None:
    """Raises UnsupportedFeatureError (nothing ran) when a pod field cannot be honoured in the image."""
    findings = image_findings(workflow, settings)
    if findings:
        raise UnsupportedFeatureError(findings)
