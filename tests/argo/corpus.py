"""The agreement corpus: valid Argo-shaped specs (tests/fixtures/argo) and broken variants made by mutating them.

Each case names the rule it breaks and what both linters are expected to say. Where Argo's validator is weaker
than `generate-workflow lint` by design (the API server's CRD schema, a document Argo skips), the case says
so in `why`; the docs table is rendered from a run of this corpus (tests/argo/agreement.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "argo"

Documents = list[dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One corpus entry.

    Attributes:
        name: short id (test id and table row).
        rule: what the mutation breaks, in words.
        fixture: the fixture file mutated (others of the corpus are linted alongside for templateRef).
        mutate: edits the fixture's parsed documents in place (None: the fixture as written).
        lint_rejects: what `generate-workflow lint` is expected to say.
        argo_rejects: what Argo's validator is expected to say.
        why: the reason when the two differ by design.
        text: a raw text replacement (old, new) for mutations YAML parsing would hide (duplicate keys, bad YAML).
    """

    name: str
    rule: str
    fixture: str
    mutate: Callable[[Documents], None] | None = None
    lint_rejects: bool = True
    argo_rejects: bool = True
    why: str = ""
    text: tuple[str, str] | None = None

    def write(self, folder: Path) -> list[Path]:
        """Write the fixture set with this case's mutation applied; returns the files to lint together."""
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for source in sorted(FIXTURES.glob("*.yaml")):
            if source.name != self.fixture and not _is_library(source):
                continue
            text = source.read_text()
            if source.name == self.fixture:
                text = self._mutated(text)
            target = folder / source.name
            target.write_text(text)
            files.append(target)
        return files

    def _mutated(self, text: str) -> str:
        if self.text is not None:
            old, new = self.text
            if old not in text:
                raise ValueError(f"case {self.name}: {old!r} is not in {self.fixture}")
            return text.replace(old, new, 1)
        if self.mutate is None:
            return text
        documents = [copy.deepcopy(d) for d in yaml.safe_load_all(text) if d is not None]
        self.mutate(documents)
        return yaml.safe_dump_all(documents, sort_keys=False)


def _is_library(path: Path) -> bool:
    """Fixtures other cases reference by templateRef / workflowTemplateRef (linted in every case)."""
    return path.name in LIBRARIES


LIBRARIES = frozenset({"workflow-template.yaml", "cluster-workflow-template.yaml"})


def _templates(documents: Documents, position: int = 0) -> list[dict[str, Any]]:
    spec = documents[position]["spec"]
    return (spec.get("workflowSpec") or spec)["templates"]


def _template(documents: Documents, name: str, position: int = 0) -> dict[str, Any]:
    return next(t for t in _templates(documents, position) if t["name"] == name)


def _set(path: str, value: Any, position: int = 0) -> Callable[[Documents], None]:
    """A mutation setting a dotted path (`spec.templates.0.name`) of one document."""

    def mutate(documents: Documents) -> None:
        target: Any = documents[position]
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str, position: int = 0) -> Callable[[Documents], None]:
    def mutate(documents: Documents) -> None:
        target: Any = documents[position]
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[keys[-1]]

    return mutate


def _dag_cycle(documents: Documents) -> None:
    tasks = _template(documents, "diamond")["dag"]["tasks"]
    tasks[0]["depends"] = "d"


def _dependencies_naming(*names: str) -> Callable[[Documents], None]:
    """The diamond in the older `dependencies` form, task d depending on `names`."""

    def mutate(documents: Documents) -> None:
        tasks = _template(documents, "diamond")["dag"]["tasks"]
        for task, dependencies in zip(tasks, ([], ["a"], ["a"], list(names)), strict=True):
            task.pop("depends", None)
            if dependencies:
                task["dependencies"] = dependencies

    return mutate


def _mixed_depends(documents: Documents) -> None:
    task = _template(documents, "diamond")["dag"]["tasks"][1]
    task["dependencies"] = [task.pop("depends")]


def _duplicate_template(documents: Documents) -> None:
    templates = _templates(documents)
    templates.append(copy.deepcopy(templates[-1]))


def _two_types(documents: Documents) -> None:
    _template(documents, "say")["script"] = {"image": "python:3.11-slim", "command": ["python"], "source": "print(1)"}


def _no_type(documents: Documents) -> None:
    del _template(documents, "say")["container"]


def _drop_required_argument(documents: Documents) -> None:
    del _template(documents, "diamond")["dag"]["tasks"][0]["arguments"]


VALID_CASES = [
    Case(f"valid:{path.stem}", "none (valid spec)", path.name, lint_rejects=False, argo_rejects=False)
    for path in sorted(FIXTURES.glob("*.yaml"))
]

BROKEN_CASES = [
    Case(
        "missing-template",
        "a step calls a template that does not exist",
        "conditionals.yaml",
        _set("spec.templates.0.steps.1.0.template", "head"),
    ),
    Case("missing-entrypoint", "the entrypoint names no template", "hello-world.yaml", _set("spec.entrypoint", "main")),
    Case("missing-onexit", "onExit names no template", "exit-handler.yaml", _set("spec.onExit", "exit-handlr")),
    Case(
        "bad-templateref-template",
        "templateRef names a template the WorkflowTemplate lacks",
        "workflow-template.yaml",
        _set("spec.templates.0.dag.tasks.0.templateRef.template", "greet-thrice", 1),
    ),
    Case(
        "bad-templateref-name",
        "templateRef names a WorkflowTemplate not in the set",
        "workflow-template.yaml",
        _set("spec.templates.0.dag.tasks.0.templateRef.name", "salutations", 1),
    ),
    Case(
        "bad-cluster-templateref",
        "templateRef with clusterScope names no ClusterWorkflowTemplate",
        "cluster-workflow-template.yaml",
        _set("spec.templates.0.steps.0.0.templateRef.name", "no-such", 1),
    ),
    Case(
        "bad-workflowtemplateref",
        "workflowTemplateRef names no WorkflowTemplate",
        "workflow-template.yaml",
        _set("spec.workflowTemplateRef.name", "salutations", 2),
    ),
    Case("dag-cycle", "DAG tasks depend on each other in a cycle", "dag-diamond.yaml", _dag_cycle),
    Case(
        "valid:dag-dependencies",
        "none (the diamond with `dependencies`)",
        "dag-diamond.yaml",
        _dependencies_naming("b", "c"),
        lint_rejects=False,
        argo_rejects=False,
    ),
    Case(
        "dag-missing-dependency", "a DAG dependency names no task", "dag-diamond.yaml", _dependencies_naming("b", "z")
    ),
    Case(
        "mixed-depends-dependencies",
        "one DAG uses both `depends` and `dependencies`",
        "dag-diamond.yaml",
        _mixed_depends,
    ),
    Case(
        "depends-missing-task",
        "a depends expression names no task",
        "dag-diamond.yaml",
        _set("spec.templates.0.dag.tasks.3.depends", "b && e"),
    ),
    Case(
        "unknown-field",
        "a field Argo does not define (container.imagee)",
        "hello-world.yaml",
        _set("spec.templates.0.container.imagee", "busybox"),
    ),
    Case("unknown-spec-field", "a misspelled spec field (entryPoint)", "loops.yaml", _set("spec.entryPoint", "loops")),
    Case(
        "bad-enum-retry-policy",
        "retryPolicy outside its enum",
        "exit-handler.yaml",
        _set("spec.templates.0.retryStrategy.retryPolicy", "Sometimes"),
    ),
    Case(
        "bad-enum-concurrency",
        "concurrencyPolicy outside its enum",
        "cron-workflow.yaml",
        _set("spec.concurrencyPolicy", "Sometimes"),
    ),
    Case(
        "bad-enum-resource-action",
        "resource action outside its enum",
        "suspend-resource.yaml",
        _set("spec.templates.2.resource.action", "make"),
    ),
    Case(
        "bad-cron",
        "a schedule that is not a cron expression",
        "cron-workflow.yaml",
        _set("spec.schedules", ["61 * * * *"]),
    ),
    Case(
        "bad-timezone",
        "a timezone that is not an IANA zone",
        "cron-workflow.yaml",
        _set("spec.timezone", "Mars/Olympus"),
    ),
    Case(
        "legacy-cron-schedule",
        "Argo v3's CronWorkflow `schedule` (v4: `schedules`)",
        "cron-workflow.yaml",
        _set("spec.schedule", "0 * * * *"),
    ),
    Case(
        "legacy-mutex",
        "Argo v3's synchronization.mutex (v4: mutexes)",
        "global-parameters.yaml",
        _set("spec.synchronization", {"mutex": {"name": "one"}}),
    ),
    Case(
        "unresolved-input",
        "{{inputs.parameters.X}} not declared",
        "hello-world.yaml",
        _set("spec.templates.0.container.args", ["{{inputs.parameters.mesage}}"]),
    ),
    Case(
        "unresolved-workflow-parameter",
        "{{workflow.parameters.X}} not declared",
        "global-parameters.yaml",
        _set("spec.templates.0.container.args", ["{{workflow.parameters.region}}"]),
    ),
    Case(
        "unresolved-step-output",
        "{{steps.X.outputs.result}} of no step",
        "conditionals.yaml",
        _set("spec.templates.0.steps.1.0.when", "{{steps.flip.outputs.result}} == heads"),
    ),
    Case(
        "unresolved-task-output-parameter",
        "a task output parameter its template does not declare",
        "dag-diamond.yaml",
        _set("spec.templates.0.dag.tasks.3.arguments.parameters.0.value", "{{tasks.b.outputs.parameters.x}}"),
    ),
    Case(
        "missing-required-input",
        "a call omits an input parameter without a value",
        "dag-diamond.yaml",
        _drop_required_argument,
    ),
    Case(
        "argument-outside-enum",
        "a workflow argument outside its parameter's enum",
        "global-parameters.yaml",
        _set("spec.arguments.parameters.0.value", "qa"),
    ),
    Case("duplicate-template", "two templates with the same name", "conditionals.yaml", _duplicate_template),
    Case("two-template-types", "a template with container and script", "hello-world.yaml", _two_types),
    Case("no-template-type", "a template with no type", "hello-world.yaml", _no_type),
    Case(
        "bad-template-name",
        "a template name with an underscore",
        "hello-world.yaml",
        _set("spec.templates.0.name", "say_it"),
    ),
    Case(
        "cron-name-too-long",
        "a CronWorkflow name over 52 characters",
        "cron-workflow.yaml",
        _set("metadata.name", "a" * 53),
    ),
    Case("wrong-type", "parallelism given as a word", "loops.yaml", _set("spec.parallelism", "two")),
    Case(
        "bad-quantity",
        "a memory limit that is no quantity",
        "hello-world.yaml",
        _set("spec.templates.0.container.resources.limits.memory", "lots"),
    ),
    Case(
        "missing-image", "a container without an image", "hello-world.yaml", _delete("spec.templates.0.container.image")
    ),
    Case(
        "bad-resource-manifest",
        "a resource template whose manifest is not YAML",
        "suspend-resource.yaml",
        _set("spec.templates.2.resource.manifest", "kind: ConfigMap\ndata: [owner: {{workflow.name}}\n"),
    ),
    Case(
        "duplicate-key",
        "a mapping repeats a key",
        "hello-world.yaml",
        text=("  entrypoint: say\n", "  entrypoint: say\n  entrypoint: say\n"),
    ),
    Case(
        "item-outside-loop",
        "{{item}} in a step without a loop",
        "conditionals.yaml",
        _set("spec.templates.0.steps.1.0.when", "{{item}} == heads"),
        argo_rejects=False,
        why="by design, lint is stricter: nothing can ever fill {{item}} there; Argo fails only at run time",
    ),
    Case(
        "bad-metadata-name",
        "metadata.name with capitals",
        "cron-workflow.yaml",
        _set("metadata.name", "Hello-Cron"),
        argo_rejects=False,
        why="by design, lint is stricter: the API server refuses a name that is not DNS-1123",
    ),
    Case(
        "wrong-api-version",
        "apiVersion that is not argoproj.io/v1alpha1",
        "hello-world.yaml",
        _set("apiVersion", "argoproj.io/v2"),
        argo_rejects=False,
        why="by design, lint is stricter: Argo's lint reads only `kind`; the API server serves no argoproj.io/v2",
    ),
]

CASES = VALID_CASES + BROKEN_CASES
