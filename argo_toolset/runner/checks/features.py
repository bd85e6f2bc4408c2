"""Refuse, before anything runs, every Argo feature the local runner does not implement.

Each object is checked against two lists: fields the runner implements, and fields accepted with no local
effect (scheduling, pod security, metrics, GC; see NO_LOCAL_EFFECT). Any other field is a finding that names
the document, template and path; the run does not start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from argo_toolset.core.catalog import RETRY_POLICIES
from argo_toolset.core.variables import TAG, WORKFLOW_GLOBALS, tags_in
from argo_toolset.errors import UserError, listed
from argo_toolset.runner.documents import RunnableWorkflow, TemplateScope
from argo_toolset.runner.execution.retries import effective_policy
from argo_toolset.runner.expressions.expr import FUNCTIONS, ExpressionError, called_functions
from argo_toolset.runner.pods.secrets import FIELD_PATHS, secret_variable

NO_LOCAL_EFFECT = {
    "spec": {"serviceAccountName", "automountServiceAccountToken", "securityContext", "podGC", "ttlStrategy",
             "metrics", "podMetadata", "workflowMetadata", "nodeSelector", "tolerations", "affinity",
             "priority", "priorityClassName", "podPriorityClassName", "imagePullSecrets", "hostAliases",
             "dnsPolicy", "dnsConfig", "schedulerName", "podDisruptionBudget", "archiveLogs",
             "artifactRepositoryRef", "artifactGC", "executor", "hostNetwork", "volumeClaimGC"},
    "template": {"metadata", "nodeSelector", "tolerations", "affinity", "serviceAccountName",
                 "automountServiceAccountToken", "securityContext", "metrics", "priority", "priorityClassName",
                 "schedulerName", "archiveLocation", "executor", "hostAliases", "podSpecPatch"},
    "container": {"image", "imagePullPolicy", "resources", "securityContext", "name", "ports",
                  "terminationMessagePath", "terminationMessagePolicy", "livenessProbe", "readinessProbe",
                  "startupProbe"},
}
# A script template's `script` is a container plus `source`: the same fields have no local effect.
NO_LOCAL_EFFECT["script"] = NO_LOCAL_EFFECT["container"]
SUPPORTED = {
    "spec": {"entrypoint", "arguments", "templates", "onExit", "parallelism", "synchronization",
             "workflowTemplateRef", "activeDeadlineSeconds", "retryStrategy", "volumes"},
    "template": {"name", "inputs", "outputs", "container", "script", "dag", "steps", "retryStrategy",
                 "activeDeadlineSeconds", "parallelism", "synchronization", "failFast"},
    "container": {"command", "args", "env", "workingDir", "volumeMounts"},
    "script": {"command", "args", "env", "workingDir", "volumeMounts", "source"},
    "task": {"name", "template", "templateRef", "arguments", "dependencies", "depends", "when", "withItems",
             "withParam", "withSequence", "continueOn"},
    "step": {"name", "template", "templateRef", "arguments", "when", "withItems", "withParam", "withSequence",
             "continueOn"},
    "retryStrategy": {"limit", "retryPolicy", "backoff", "expression"},
    "backoff": {"duration", "factor", "maxDuration", "cap"},
    "inputParameter": {"name", "value", "default", "enum", "description"},
    "inputArtifact": {"name", "path", "raw", "optional", "mode"},
    "outputParameter": {"name", "valueFrom", "description"},
    "argumentParameter": {"name", "value", "default", "enum", "description"},
    "argumentArtifact": {"name", "raw"},
}
# The one volume source and the one synchronization kind the runner reproduces (as folders and file locks).
VOLUME_SOURCE = "emptyDir"
SYNCHRONIZATION_KINDS = ("mutexes", "mutex")
# The `workflow.*` variables of Argo's vocabulary (the core's, which lint checks against) that the runner has no
# value for: a variable lint accepts but the runner cannot supply is refused here, before anything runs.
UNSUPPLIED_WORKFLOW_GLOBALS = {"priority": "workflow.priority (the runner has no scheduling priority)",
                               "outputs": "workflow.outputs (global output parameters and artifacts)"}
assert UNSUPPLIED_WORKFLOW_GLOBALS.keys() <= WORKFLOW_GLOBALS.keys()
# Fields we know Argo has but the runner does not implement, with a hint where one helps.
HINTS = {
    "resource": "resource templates (kubectl actions)", "suspend": "suspend templates",
    "http": "http templates", "plugin": "executor plugins", "containerSet": "containerSet templates",
    "data": "data templates", "sidecars": "sidecars", "initContainers": "init containers",
    "daemon": "daemon steps", "memoize": "memoization", "hooks": "lifecycle hooks",
    "onExit": "task-level exit hooks", "semaphores": "semaphores (they need a ConfigMap)",
    "semaphore": "semaphores (they need a ConfigMap)", "artifacts": "artifacts other than inline raw ones",
    "target": "dag.target", "envFrom": "envFrom",
    "globalName": "global output parameters", "valueFrom": "valueFrom sources other than the ones listed",
    "volumeClaimTemplates": "volumeClaimTemplates", "templateDefaults": "templateDefaults",
    "inline": "inline templates", "subPath": "volumeMount subPath", "shutdown": "shutdown",
}


@dataclass
class Unsupported:
    """One unsupported feature: where it is and what it is."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class UnsupportedFeatureError(UserError):
    """The workflow uses Argo features the local runner does not implement."""

    def __init__(self, findings: list[Unsupported]):
        self.findings = findings
        super().__init__(listed(f"run-local does not implement {len(findings)} feature(s) this workflow uses "
                                "(nothing was run):", findings))


@dataclass
class _Checker:
    workflow: RunnableWorkflow
    findings: list[Unsupported] = field(default_factory=list)
    missing_secrets: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.findings.append(Unsupported(where, message))

    def fields(self, obj: dict, kind: str, where: str) -> None:
        if not isinstance(obj, dict):
            self.add(where, f"expected a mapping, got {type(obj).__name__}")
            return
        allowed = SUPPORTED[kind] | NO_LOCAL_EFFECT.get(kind, set())
        for key in obj:
            if key not in allowed:
                hint = HINTS.get(key)
                what = f" ({hint})" if hint else ""
                self.add(f"{where}.{key}", f"unsupported field{what}; supported here: {', '.join(sorted(allowed))}")

    def expressions(self, value: object, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.expressions(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.expressions(item, f"{where}[{index}]")
        elif isinstance(value, str):
            for segments, text in tags_in(value) if "{{" in value else ():
                if len(segments) > 1 and segments[0] == "workflow" and segments[1] in UNSUPPLIED_WORKFLOW_GLOBALS:
                    self.add(where, f"variable {text!r}: {UNSUPPLIED_WORKFLOW_GLOBALS[segments[1]]} is not "
                             "supplied by run-local")
            for match in TAG.finditer(value):
                if not match.group(1):
                    continue
                try:
                    unknown = [name for name in called_functions(match.group(2)) if name not in FUNCTIONS]
                except ExpressionError as error:
                    self.add(where, f"expression {match.group(0)!r}: {error}")
                    continue
                for name in unknown:
                    self.add(where, f"expression function {name}() is not implemented; "
                             f"supported: {', '.join(sorted(FUNCTIONS))}")

    def synchronization(self, sync: dict | None, where: str) -> None:
        if not sync:
            return
        for key in sync:
            if key not in SYNCHRONIZATION_KINDS:
                self.add(f"{where}.synchronization.{key}", f"unsupported: {HINTS.get(key, key)}; only mutexes")
        for index, mutex in enumerate(sync.get("mutexes") or []):
            if mutex.get("database"):
                self.add(f"{where}.synchronization.mutexes[{index}]", "database mutexes are not implemented")

    def spec(self) -> None:
        spec, where = self.workflow.spec, f"{self.workflow.kind} {self.workflow.name} spec"
        self.fields(spec, "spec", where)
        self.synchronization(spec.get("synchronization"), where)
        for index, volume in enumerate(spec.get("volumes") or []):
            extra = sorted(set(volume) - {"name", VOLUME_SOURCE})
            if extra or VOLUME_SOURCE not in volume:
                self.add(f"{where}.volumes[{index}]",
                         f"volume {volume.get('name')!r}: only emptyDir volumes run locally (found {extra})")
        arguments = spec.get("arguments") or {}
        for index, parameter in enumerate(arguments.get("parameters") or []):
            self.fields(parameter, "argumentParameter", f"{where}.arguments.parameters[{index}]")
        if arguments.get("artifacts"):
            self.add(f"{where}.arguments.artifacts", "workflow-level argument artifacts are not implemented")
        self.retry(spec.get("retryStrategy"), where)
        self.expressions({k: v for k, v in spec.items() if k != "templates"}, where)

    def retry(self, retry: dict | None, where: str) -> None:
        if not retry:
            return
        self.fields(retry, "retryStrategy", f"{where}.retryStrategy")
        if retry.get("backoff"):
            self.fields(retry["backoff"], "backoff", f"{where}.retryStrategy.backoff")
        policy = effective_policy(retry)
        if policy not in RETRY_POLICIES:
            self.add(f"{where}.retryStrategy.retryPolicy",
                     f"{policy!r} is not a retry policy; allowed: {', '.join(RETRY_POLICIES)}")
        if retry.get("expression"):
            try:
                unknown = [name for name in called_functions(str(retry["expression"])) if name not in FUNCTIONS]
            except ExpressionError as error:
                self.add(f"{where}.retryStrategy.expression", str(error))
                return
            for name in unknown:
                self.add(f"{where}.retryStrategy.expression", f"expression function {name}() is not implemented; "
                         f"supported: {', '.join(sorted(FUNCTIONS))}")

    def template(self, template: dict, scope: TemplateScope) -> None:
        where = f"{scope.label} template {template.get('name')!r}"
        self.fields(template, "template", where)
        kinds = [kind for kind in ("container", "script", "dag", "steps") if kind in template]
        if len(kinds) != 1 and not any(other in template for other in HINTS):
            self.add(where, f"needs exactly one of container, script, dag, steps (found {kinds or 'none'})")
        self.retry(template.get("retryStrategy"), where)
        self.synchronization(template.get("synchronization"), where)
        self.inputs(template.get("inputs") or {}, where)
        self.outputs(template.get("outputs") or {}, kinds[0] if kinds else "", where)
        self.expressions(template, where)
        if kinds and kinds[0] in ("container", "script"):
            self.pod(template, kinds[0], where)
        elif "activeDeadlineSeconds" in template:
            self.add(f"{where}.activeDeadlineSeconds", "only implemented on container and script templates")
        if "dag" in template:
            self.dag(template["dag"], where)
        if "steps" in template:
            for group_index, group in enumerate(template["steps"] or []):
                for step_index, step in enumerate(group or []):
                    step_where = f"{where}.steps[{group_index}][{step_index}]"
                    self.fields(step, "step", step_where)
                    self.arguments(step.get("arguments") or {}, step_where)

    def inputs(self, inputs: dict, where: str) -> None:
        for key in inputs:
            if key not in ("parameters", "artifacts"):
                self.add(f"{where}.inputs.{key}", "unsupported field")
        for index, parameter in enumerate(inputs.get("parameters") or []):
            self.fields(parameter, "inputParameter", f"{where}.inputs.parameters[{index}]")
        for index, artifact in enumerate(inputs.get("artifacts") or []):
            artifact_where = f"{where}.inputs.artifacts[{index}] ({artifact.get('name')})"
            self.fields(artifact, "inputArtifact", artifact_where)
            if "path" not in artifact:
                self.add(artifact_where, "an input artifact needs a path")

    def outputs(self, outputs: dict, kind: str, where: str) -> None:
        for key in outputs:
            if key != "parameters":
                self.add(f"{where}.outputs.{key}", f"unsupported: {HINTS.get(key, key)}")
        allowed = {"path", "default"} if kind in ("container", "script") else {"parameter", "expression", "default"}
        for index, parameter in enumerate(outputs.get("parameters") or []):
            parameter_where = f"{where}.outputs.parameters[{index}]"
            self.fields(parameter, "outputParameter", parameter_where)
            source = parameter.get("valueFrom") or {}
            for key in source:
                if key not in allowed:
                    self.add(f"{parameter_where}.valueFrom.{key}", f"not implemented for a {kind or 'this'} "
                             f"template; supported: {', '.join(sorted(allowed))}")
            if not set(source) & (allowed - {"default"}):
                self.add(parameter_where, f"needs valueFrom with one of {', '.join(sorted(allowed - {'default'}))}")

    def pod(self, template: dict, kind: str, where: str) -> None:
        container = template[kind]
        self.fields(container, kind, f"{where}.{kind}")
        if not container.get("command"):
            self.add(f"{where}.{kind}.command", "required locally: the image's own entrypoint is not known here")
        if kind == "script" and "source" not in container:
            self.add(f"{where}.script.source", "required")
        volumes = {volume.get("name") for volume in self.workflow.spec.get("volumes") or []}
        for index, mount in enumerate(container.get("volumeMounts") or []):
            mount_where = f"{where}.{kind}.volumeMounts[{index}]"
            extra = sorted(set(mount) - {"name", "mountPath", "readOnly"})
            if extra:
                self.add(mount_where, f"unsupported fields {extra}")
            if mount.get("name") not in volumes:
                self.add(mount_where, f"volume {mount.get('name')!r} is not an emptyDir in spec.volumes")
        for index, entry in enumerate(container.get("env") or []):
            entry_where = f"{where}.{kind}.env[{index}] ({entry.get('name')})"
            source = entry.get("valueFrom")
            if source is None:
                continue
            if set(source) == {"fieldRef"}:
                path = source["fieldRef"].get("fieldPath")
                if path not in FIELD_PATHS:
                    self.add(entry_where, f"fieldRef {path!r} is not implemented; supported: {', '.join(FIELD_PATHS)}")
                continue
            if set(source) != {"secretKeyRef"}:
                self.add(entry_where, f"valueFrom {sorted(source)} is not implemented; only secretKeyRef, fieldRef")
                continue
            reference = source["secretKeyRef"]
            if "{{" in f"{reference.get('name')}{reference.get('key')}":
                continue
            variable = secret_variable(reference["name"], reference["key"])
            if variable not in os.environ and not reference.get("optional", False):
                self.missing_secrets.append(f"{variable} (Secret {reference['name']!r} key {reference['key']!r}, "
                                            f"{where} env {entry.get('name')})")

    def arguments(self, arguments: dict, where: str) -> None:
        for index, parameter in enumerate(arguments.get("parameters") or []):
            self.fields(parameter, "argumentParameter", f"{where}.arguments.parameters[{index}]")
        for index, artifact in enumerate(arguments.get("artifacts") or []):
            self.fields(artifact, "argumentArtifact", f"{where}.arguments.artifacts[{index}]")

    def dag(self, dag: dict, where: str) -> None:
        for key in dag:
            if key not in ("tasks", "failFast"):
                self.add(f"{where}.dag.{key}", f"unsupported: {HINTS.get(key, key)}")
        for index, task in enumerate(dag.get("tasks") or []):
            task_where = f"{where}.dag.tasks[{index}] ({task.get('name')})"
            self.fields(task, "task", task_where)
            self.arguments(task.get("arguments") or {}, task_where)


def check_supported(workflow: RunnableWorkflow) -> None:
    """Refuse the workflow before anything runs when it needs what the runner lacks.

    Raises:
        UnsupportedFeatureError: Fields, template types or expression functions not implemented locally.
        UserError: Required Secret stand-ins are missing from the environment (each variable named).
    """
    checker = _Checker(workflow)
    checker.spec()
    for template, scope in workflow.reachable_templates():
        checker.template(template, scope)
    if checker.findings:
        raise UnsupportedFeatureError(checker.findings)
    if checker.missing_secrets:
        raise UserError(listed("Secrets the workflow references are not set; export these variables "
                               "(values stay out of the repo):", checker.missing_secrets))
